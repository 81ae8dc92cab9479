// The real edge and processor entries (src/*/main.ts) as child processes, the way they
// run in production: their own event loop, RSS readable from /proc, optional --cpu-prof.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { freePort } from '../test/support/ports.js';

export type ServiceKind = 'edge' | 'processor';

export interface ServiceProcess {
  kind: ServiceKind;
  pid: number;
  /** HTTP port: the API (edge) or the ops port (processor). */
  port: number;
  /** Resident set size in MiB, from /proc/<pid>/status VmRSS. */
  rssMiB(): number;
  stop(): Promise<void>;
}

const ENTRY: Record<ServiceKind, string> = {
  edge: fileURLToPath(new URL('../src/edge/main.ts', import.meta.url)),
  processor: fileURLToPath(new URL('../src/processor/main.ts', import.meta.url)),
};

export function rssMiB(pid: number): number {
  const m = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Math.round(Number(m[1]) / 1024) : NaN;
}

async function untilReady(url: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${url}: process exited with ${child.exitCode}`);
    try {
      const r = await fetch(url);
      if (r.status === 200) return;
      last = await r.text();
    } catch (err) {
      last = (err as Error).message;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${url} not ready after ${timeoutMs} ms: ${last}`);
}

/**
 * Starts one service with `env` (its whole configuration) and waits for /ready.
 * `cpuProfDir` adds `--cpu-prof`: the profile is written there when it stops.
 */
export async function startService(kind: ServiceKind, env: Record<string, string>, cpuProfDir?: string): Promise<ServiceProcess> {
  const port = await freePort();
  const portVar = kind === 'edge' ? { PORT: String(port) } : { PROCESSOR_PORT: String(port) };
  const args = [...(cpuProfDir ? ['--cpu-prof', `--cpu-prof-dir=${cpuProfDir}`, `--cpu-prof-name=${kind}-${Date.now()}.cpuprofile`] : []), '--import', 'tsx', ENTRY[kind]];
  const child = spawn(process.execPath, args, { env: { PATH: process.env.PATH ?? '', ...env, ...portVar }, stdio: ['ignore', 'inherit', 'inherit'] });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  try {
    await untilReady(`http://127.0.0.1:${port}/ready`, child, 60_000);
  } catch (err) {
    child.kill('SIGKILL');
    throw err;
  }
  return {
    kind,
    pid: child.pid!,
    port,
    rssMiB: () => rssMiB(child.pid!),
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
