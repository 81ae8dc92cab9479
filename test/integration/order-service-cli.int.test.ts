// `order-service` (bin/order-service.mjs) as a user runs it: help that lists the real
// configuration, a clear error for a wrong command, and the edge / edge + processor
// against the running stack, stopped by signals.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { CONFIG_VARIABLES } from '../../src/shared/config.js';
import { createKafka, ensureTopics } from '../../src/shared/kafka.js';
import { waitFor } from '../support/commands.js';
import { orderServiceBin, runCli, type RunningCli } from '../support/cli-process.js';
import { freePort } from '../support/ports.js';
import { isolatedEnv } from '../support/processor-harness.js';

const help = (...args: string[]) => spawnSync(process.execPath, [orderServiceBin, ...args, '--help'], { encoding: 'utf8' });
const namesFor = (consumer: 'edge' | 'processor') => CONFIG_VARIABLES.filter((v) => v.usedBy.includes(consumer)).map((v) => v.name);

/** The child processes of `pid` (the supervisor's edge and processor). */
const childrenOf = (pid: number) =>
  spawnSync('pgrep', ['-P', String(pid)], { encoding: 'utf8' })
    .stdout.split('\n')
    .filter(Boolean)
    .map(Number)
    .map((child) => ({ pid: child, cmdline: readFileSync(`/proc/${child}/cmdline`, 'utf8').split('\0').join(' ').trim() }));

const running: RunningCli[] = [];
afterEach(async () => {
  for (const cli of running.splice(0)) {
    if (cli.child.exitCode === null && cli.child.signalCode === null) {
      cli.child.kill('SIGKILL');
      await cli.exited;
    }
  }
});

async function start(args: string[], env: Record<string, string>): Promise<RunningCli> {
  const cli = runCli(process.execPath, [orderServiceBin, ...args], { env: { ...process.env, ...env } });
  running.push(cli);
  return cli;
}

describe('order-service --help', () => {
  it.each([
    ['edge', namesFor('edge')],
    ['processor', namesFor('processor')],
    ['all', CONFIG_VARIABLES.map((v) => v.name)],
  ])('%s --help lists every variable of src/shared/config.ts that it reads', (command, names) => {
    const r = help(command);
    expect(r.status).toBe(0);
    for (const name of names) expect(r.stdout).toMatch(new RegExp(`^  ${name} `, 'm'));
  });

  it('the top-level help names the commands', () => {
    const r = help();
    expect(r.status).toBe(0);
    for (const command of ['edge', 'processor', 'all']) expect(r.stdout).toMatch(new RegExp(`^  ${command}\\b`, 'm'));
  });
});

describe('order-service with a wrong command', () => {
  it('exits non-zero naming the unknown command', () => {
    const r = spawnSync(process.execPath, [orderServiceBin, 'bogus'], { encoding: 'utf8' });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain("unknown command 'bogus'");
    expect(r.stderr).toContain('order-service --help');
  });

  it('exits 2 with one line per configuration problem', () => {
    const r = spawnSync(process.execPath, [orderServiceBin, 'all'], { encoding: 'utf8', env: { ...process.env, KAFKA_BROKERS: 'nohost', PORT: 'eighty' } });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('KAFKA_BROKERS entry "nohost" must be host:port');
    expect(r.stderr).toContain('PORT=eighty must be an integer');
  });

  it('all refuses port 0, whose readiness it could not check', () => {
    const r = spawnSync(process.execPath, [orderServiceBin, 'all'], { encoding: 'utf8', env: { ...process.env, PORT: '0' } });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('PORT and PROCESSOR_PORT must be fixed ports');
  });
});

describe('order-service dlq', () => {
  it('hands its arguments and exit code to the DLQ tool (src/tools/dlq.ts)', () => {
    const helpRun = spawnSync(process.execPath, [orderServiceBin, 'dlq', '--help'], { encoding: 'utf8' });
    expect(helpRun.status).toBe(0);
    expect(helpRun.stdout).toContain('List and replay dead letters');
    const wrong = spawnSync(process.execPath, [orderServiceBin, 'dlq', 'bogus'], { encoding: 'utf8' });
    expect(wrong.status).toBe(2);
    expect(wrong.stderr).toContain("unknown command 'bogus'");
  });

  it('lists the dead letters of a real, empty DLQ topic', async () => {
    const env = isolatedEnv('cli-dlq');
    const admin = createKafka({ brokers: env.KAFKA_BROKERS!.split(','), clientId: 'cli-dlq-test' }).admin();
    await admin.connect();
    await ensureTopics(admin, [{ topic: env.TOPIC_DLQ!, numPartitions: 1 }]);
    await admin.disconnect();
    const r = spawnSync(process.execPath, [orderServiceBin, 'dlq', 'list'], { encoding: 'utf8', env: { ...process.env, ...env } });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/0 of 0 dead letters in .*\.dlq selected/);
  });
});

describe('order-service against the running stack', () => {
  it('edge answers /health on PORT and exits 0 on SIGTERM', async () => {
    const port = await freePort();
    const cli = await start(['edge'], { ...isolatedEnv('cli-edge'), PORT: String(port), LOG_LEVEL: 'info' });
    const health = await waitFor(() => (cli.child.exitCode === null ? fetch(`http://127.0.0.1:${port}/health`) : Promise.reject(new Error(cli.output()))), 60_000, 'the edge on PORT');
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok' });
    cli.child.kill('SIGTERM');
    expect(await cli.exited).toEqual({ code: 0, signal: null });
    expect(cli.output()).toContain('edge stopped');
  });

  it('all runs edge and processor, gets ready, and stops both cleanly on SIGTERM', async () => {
    const [port, processorPort] = [await freePort(), await freePort()];
    // info: both children log their start (at warn they may print nothing at all).
    const cli = await start(['all'], { ...isolatedEnv('cli-all'), PORT: String(port), PROCESSOR_PORT: String(processorPort), LOG_LEVEL: 'info' });
    await cli.waitFor(/order-service ready/);
    expect((await fetch(`http://127.0.0.1:${port}/ready`)).status).toBe(200);
    expect((await fetch(`http://127.0.0.1:${processorPort}/ready`)).status).toBe(200);
    // Output of each child carries its name.
    expect(cli.output()).toMatch(/^edge +\| /m);
    expect(cli.output()).toMatch(/^processor +\| /m);
    cli.child.kill('SIGTERM');
    expect(await cli.exited).toEqual({ code: 0, signal: null });
    expect(cli.output()).toMatch(/supervisor \| edge stopped/);
    expect(cli.output()).toMatch(/supervisor \| processor stopped/);
  });

  it('all stops the edge and exits non-zero when the processor dies', async () => {
    const [port, processorPort] = [await freePort(), await freePort()];
    const cli = await start(['all'], { ...isolatedEnv('cli-crash'), PORT: String(port), PROCESSOR_PORT: String(processorPort) });
    await cli.waitFor(/order-service ready/);
    const processor = childrenOf(cli.child.pid!).find((c) => c.cmdline.endsWith(' processor'));
    expect(processor, 'the supervised processor process').toBeDefined();
    process.kill(processor!.pid, 'SIGKILL');
    const { code } = await cli.exited;
    expect(code).not.toBe(0);
    expect(cli.output()).toMatch(/processor exited on its own \(signal SIGKILL\): stopping the others/);
    expect(cli.output()).toMatch(/supervisor \| edge stopped/);
    await expect(fetch(`http://127.0.0.1:${port}/health`)).rejects.toThrow();
  });
});
