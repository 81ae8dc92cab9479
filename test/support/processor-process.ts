// A processor replica as its own OS process (src/processor/main.ts), for tests that kill
// it, or watch what it does before its servers exist.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { freePort } from './ports.js';

export interface ReplicaProcess {
  child: ChildProcess;
  /** Its ops port (/health, /ready, /metrics). */
  opsUrl: string;
  /** Its log lines (stdout), kept so a failing test can show what the replica did. */
  logs: string[];
}

/** Starts a replica; it has not necessarily started consuming yet. */
export async function spawnReplica(env: Record<string, string>): Promise<ReplicaProcess> {
  const port = await freePort();
  // node --import tsx runs in this one process, so SIGKILL hits the processor itself.
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/processor/main.ts'], {
    // A clean environment: the replica must not inherit the test runner's variables.
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env, PROCESSOR_PORT: String(port) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const logs: string[] = [];
  let partial = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    const lines = (partial + chunk).split('\n');
    partial = lines.pop()!;
    logs.push(...lines);
  });
  return { child, opsUrl: `http://127.0.0.1:${port}`, logs };
}

/** GET /ready of a replica: its status and reasons, or undefined while the port is closed. */
export async function replicaReadiness(replica: ReplicaProcess): Promise<{ status: number; body: { reasons?: string[] } } | undefined> {
  const res = await fetch(`${replica.opsUrl}/ready`).catch(() => undefined);
  if (!res) return undefined;
  return { status: res.status, body: (await res.json().catch(() => ({}))) as { reasons?: string[] } };
}

export const exited = (child: ChildProcess): Promise<void> =>
  new Promise<void>((r) => (child.exitCode !== null || child.signalCode !== null ? r() : child.once('exit', () => r())));

/** 'T' when the process is stopped (SIGSTOP), from /proc. */
export const processState = (pid: number): string => readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.charAt(0);
