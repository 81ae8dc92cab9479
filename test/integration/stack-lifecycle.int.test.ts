// Stack contract: `stack:up` / `stack:down` on a second instance (own state folder,
// own ports) — idempotent up, stale pid and busy port detection, a failing server's
// log tail, and nothing left running or listening after down.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const ports = {
  STACK_KAFKA_PORT: 19092,
  STACK_KAFKA_CONTROLLER_PORT: 19093,
  STACK_REGISTRY_PORT: 18181,
  STACK_REGISTRY_MANAGEMENT_PORT: 19101,
  STACK_MONGO_PORT: 27117,
};
const stateDir = mkdtempSync(join(tmpdir(), 'order-service-stack-'));
const names = ['kafka', 'registry', 'mongo'];

function cli(command: string, extraEnv: Record<string, string> = {}) {
  const env: Record<string, string | undefined> = { ...process.env, ...Object.fromEntries(Object.entries(ports).map(([k, v]) => [k, String(v)])), STACK_DIR: stateDir, ...extraEnv };
  for (const v of ['KAFKA_BROKERS', 'SCHEMA_REGISTRY_URL', 'MONGODB_URI']) delete env[v];
  const r = spawnSync(process.execPath, ['stack/cli.mjs', command], { env, encoding: 'utf8', timeout: 240_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const pidOf = (name: string) => Number(readFileSync(join(stateDir, 'pids', `${name}.pid`), 'utf8'));
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};
const listening = (port: number) =>
  new Promise<boolean>((resolve) => {
    const s = new Socket();
    s.once('connect', () => (s.destroy(), resolve(true)));
    s.once('error', () => resolve(false));
    s.connect(port, '127.0.0.1');
  });
/** A pid that surely belongs to no process: one of a child that has exited. */
const deadPid = () => spawnSync('sh', ['-c', 'echo $$'], { encoding: 'utf8' }).stdout.trim();

describe('stack up/down (second instance on other ports)', () => {
  afterAll(() => {
    cli('down');
    rmSync(stateDir, { recursive: true, force: true });
  });

  it('refuses to start when a port is taken by a foreign process, and says which', async () => {
    const squatter = createServer();
    await new Promise<void>((r) => squatter.listen(ports.STACK_KAFKA_PORT, '127.0.0.1', r));
    try {
      const r = cli('up');
      expect(r.code).not.toBe(0);
      expect(r.stderr).toMatch(new RegExp(`port ${ports.STACK_KAFKA_PORT}.*already in use`));
    } finally {
      squatter.close();
    }
  });

  it('prints the failing server log tail and exits non-zero when a server cannot start', () => {
    // Kafka refuses to start on storage whose meta.properties is garbage.
    mkdirSync(join(stateDir, 'data', 'kafka'), { recursive: true });
    writeFileSync(join(stateDir, 'data', 'kafka', 'meta.properties'), 'version=banana\n');
    const r = cli('up', { STACK_KEEP_DATA: '1' });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('last lines of');
    expect(r.stderr).toMatch(/kafka\.log/);
    rmSync(join(stateDir, 'data'), { recursive: true, force: true });
  });

  it('starts all servers, is idempotent, recovers from a stale pid file and stops cleanly', async () => {
    mkdirSync(join(stateDir, 'pids'), { recursive: true });
    writeFileSync(join(stateDir, 'pids', 'kafka.pid'), `${deadPid()}\n`);

    const first = cli('up');
    expect(first.stderr).toContain('stale pid file');
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout.trim()).toBe(
      `KAFKA_BROKERS=127.0.0.1:${ports.STACK_KAFKA_PORT} SCHEMA_REGISTRY_URL=http://127.0.0.1:${ports.STACK_REGISTRY_PORT}/apis/ccompat/v7 MONGODB_URI=mongodb://127.0.0.1:${ports.STACK_MONGO_PORT}/`,
    );
    const pids = names.map(pidOf);
    expect(pids.every(alive)).toBe(true);

    const second = cli('up');
    expect(second.code).toBe(0);
    expect(second.stderr.match(/already running/g)).toHaveLength(3);
    expect(names.map(pidOf)).toEqual(pids);

    const status = cli('status');
    expect(status.stdout.match(/\bready\b/g)).toHaveLength(3);

    const down = cli('down');
    expect(down.code).toBe(0);
    await new Promise((r) => setTimeout(r, 200));
    expect(pids.filter(alive)).toEqual([]);
    for (const port of Object.values(ports)) expect({ port, listening: await listening(port) }).toEqual({ port, listening: false });
    expect(cli('status').stdout.match(/\bstopped\b/g)).toHaveLength(3);
  });
});
