// The README's Quickstart, followed literally in a fresh clone of this repository's HEAD:
// its `npm start` block against the running stack (endpoints given, so nothing local
// starts), then its curl blocks in one shell, then Ctrl-C to the whole process group as a
// terminal sends it. Deviations from the text, each needed on a shared machine: free ports
// instead of 8001/8002 (PORT/PROCESSOR_PORT, which npm start respects), unique topics and
// database, and node_modules copied from this checkout instead of `npm ci` (see below).
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot, runCli, type RunningCli } from '../support/cli-process.js';
import { freePort } from '../support/ports.js';
import { isolatedEnv } from '../support/processor-harness.js';
import { markedBlocks, readDoc } from '../support/doc-blocks.js';

// `npm start` runs `npm ci` itself when node_modules does not match the lockfile: this
// test took 3 min with QUICKSTART_FRESH_INSTALL=1 on 2 busy cores (librdkafka builds from
// source), 20–40 s without. CI already goes through
// that same code (stack/cli.mjs ensureNodeModules) in its own fresh clone before any test,
// so by default the clone gets a copy of this checkout's node_modules (its lockfile marker
// included: when it matches, npm start skips npm ci). QUICKSTART_FRESH_INSTALL=1 runs the
// fully literal path, npm ci included.
const freshInstall = process.env.QUICKSTART_FRESH_INSTALL === '1';
const READY_TIMEOUT_MS = freshInstall ? 15 * 60_000 : 3 * 60_000;
const SEPARATOR = '--- next quickstart block ---';

const groupAlive = (pid: number): boolean => {
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('README quickstart in a fresh clone', () => {
  const workDir = mkdtempSync(join(tmpdir(), 'quickstart-'));
  const clone = join(workDir, 'order-service');
  let npmStart: RunningCli | undefined;

  beforeAll(() => {
    const top = execFileSync('git', ['rev-parse', '--show-toplevel'], { cwd: repoRoot, encoding: 'utf8' }).trim();
    execFileSync('git', ['clone', '-q', top, clone]);
    if (!freshInstall) execFileSync('cp', ['-a', join(top, 'node_modules'), join(clone, 'node_modules')]);
  });

  afterAll(async () => {
    const pid = npmStart?.child.pid;
    if (pid && groupAlive(pid)) {
      process.kill(-pid, 'SIGKILL');
      await npmStart!.exited;
    }
    rmSync(workDir, { recursive: true, force: true });
  });

  it('npm start gets ready, the curl examples answer 2xx with the documented shapes, Ctrl-C stops it cleanly', { timeout: READY_TIMEOUT_MS + 120_000 }, async () => {
    const blocks = markedBlocks(readDoc('README.md', clone), 'quickstart');
    expect(blocks[0], 'the first quickstart block starts the service').toBe('npm start');
    expect(blocks.length, 'curl blocks after npm start').toBeGreaterThanOrEqual(3);

    const [port, processorPort] = [await freePort(), await freePort()];
    // As a user's shell would have it: without the STACK_DIR that `npm test` passes to
    // its children (the clone must keep its own .stack/, as the checks below expect).
    const { STACK_DIR: _parentStackDir, ...userEnv } = process.env;
    const env = { ...userEnv, ...isolatedEnv('quickstart'), PORT: String(port), PROCESSOR_PORT: String(processorPort) };
    // Run as the terminal would: npm itself (no wrapping shell that a Ctrl-C would end
    // first), in its own process group so Ctrl-C can reach npm and everything below it.
    const [command, ...args] = blocks[0]!.split(' ');
    npmStart = runCli(command!, args, { cwd: clone, env, detached: true });
    await npmStart.waitFor(/order-service is ready/, READY_TIMEOUT_MS);
    expect(npmStart.output()).toContain(`http://127.0.0.1:${port}/docs`);
    // Endpoints given: no local server started (none has a pid file in the clone).
    expect(npmStart.output()).toContain('using the given endpoints');
    expect(existsSync(join(clone, '.stack', 'pids'))).toBe(false);

    const script = blocks
      .slice(1)
      .map((b) => b.replaceAll('localhost:8001', `localhost:${port}`))
      .join(`\necho '${SEPARATOR}'\n`);
    const curls = spawnSync('sh', ['-e', '-c', script], { cwd: clone, env, encoding: 'utf8', timeout: 60_000 });
    expect(curls.status, `quickstart curl blocks failed (curl --fail-with-body exits non-zero on 4xx/5xx):\n${curls.stdout}\n${curls.stderr}`).toBe(0);
    const [created, fetched, listed] = curls.stdout.split(`${SEPARATOR}\n`).map((out) => JSON.parse(out.trim()));

    expect(created).toMatchObject({ orderId: expect.stringMatching(/^ORD-/), status: 'received', customerId: 'CUST-001', version: 1 });
    expect(fetched).toMatchObject({ orderId: created.orderId, status: 'received', items: [expect.objectContaining({ sku: 'SKU-001', quantity: 2 })] });
    expect(listed.items.map((o: { orderId: string }) => o.orderId)).toContain(created.orderId);

    process.kill(-npmStart.child.pid!, 'SIGINT');
    // npm waits for its script, then ends itself by the same SIGINT (so a calling shell
    // sees an interrupt); 'close' comes once every process holding its output has ended.
    const ended = await npmStart.exited;
    expect([{ code: 0, signal: null }, { code: 130, signal: null }, { code: null, signal: 'SIGINT' }]).toContainEqual(ended);
    expect(npmStart.output()).toMatch(/supervisor \| edge stopped/);
    expect(npmStart.output()).toMatch(/supervisor \| processor stopped/);
    expect(npmStart.output()).not.toMatch(/did not stop cleanly|exited on its own/);
    expect(groupAlive(npmStart.child.pid!), 'no process of npm start left behind').toBe(false);
    await expect(fetch(`http://127.0.0.1:${port}/health`)).rejects.toThrow();
    expect(existsSync(join(clone, '.stack', 'logs', 'edge.log'))).toBe(true);
  });
});
