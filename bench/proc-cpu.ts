// CPU time of the processes a bench step runs on, from /proc: utime + stime of
// /proc/<pid>/stat (every thread of the process, its waited-for children not included)
// and the machine's busy time from /proc/stat. A sampler reads them at the start and
// end of a step; the difference, in ms, is what each process spent.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** utime + stime in clock ticks from the text of /proc/<pid>/stat. */
export function processTicks(statText: string): number {
  // comm (field 2) is in parentheses and may hold spaces or ')': fields count from the last ')'.
  const rest = statText.slice(statText.lastIndexOf(')') + 2).trim().split(/\s+/);
  // rest[0] is field 3 (state): utime is field 14, stime field 15.
  const utime = Number(rest[11]);
  const stime = Number(rest[12]);
  if (!Number.isFinite(utime) || !Number.isFinite(stime)) throw new Error(`not a /proc/<pid>/stat line: ${statText.slice(0, 80)}`);
  return utime + stime;
}

/** Busy and total clock ticks of all cores from the text of /proc/stat (busy = total − idle − iowait). */
export function machineTicks(procStatText: string): { busy: number; total: number } {
  const line = procStatText.split('\n').find((l) => l.startsWith('cpu '));
  if (!line) throw new Error('no "cpu " line in /proc/stat');
  const v = line.trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal (guest time is already in user).
  const total = v.slice(0, 8).reduce((a, b) => a + b, 0);
  return { busy: total - v[3]! - v[4]!, total };
}

let clockTicks: number | undefined;
/** USER_HZ (`getconf CLK_TCK`; 100 on Linux almost everywhere). */
export function ticksPerSecond(): number {
  if (clockTicks === undefined) {
    const out = spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout?.trim();
    clockTicks = Number(out) > 0 ? Number(out) : 100;
  }
  return clockTicks;
}

const readTicks = (pid: number): number | undefined => {
  try {
    return processTicks(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return undefined; // gone, or not on this machine
  }
};

export interface CpuReading {
  at: number;
  /** Ticks per named process (several pids under one name are summed: e.g. three processors). */
  ticks: Record<string, number | undefined>;
  machine: { busy: number; total: number };
}

export function readCpu(processes: Record<string, number[]>): CpuReading {
  const ticks: Record<string, number | undefined> = {};
  for (const [name, pids] of Object.entries(processes)) {
    const each = pids.map(readTicks);
    ticks[name] = each.some((t) => t === undefined) || each.length === 0 ? undefined : each.reduce((a, b) => a! + b!, 0);
  }
  return { at: performance.now(), ticks, machine: machineTicks(readFileSync('/proc/stat', 'utf8')) };
}

export interface CpuUsage {
  seconds: number;
  /** CPU ms per process over the interval (null: not readable, e.g. a server on another machine). */
  ms: Record<string, number | null>;
  /** Cores busy on average, per process. */
  cores: Record<string, number | null>;
  /** The whole machine: cores busy, cores there are, and what no named process accounts for (other work on the machine). */
  machine: { coresBusy: number; cores: number; otherCores: number };
}

/** What happened between two readings of the same processes. */
export function cpuBetween(a: CpuReading, b: CpuReading, hz: number, cores: number): CpuUsage {
  const seconds = (b.at - a.at) / 1000;
  const ms: Record<string, number | null> = {};
  const coresOf: Record<string, number | null> = {};
  for (const name of Object.keys(a.ticks)) {
    const t0 = a.ticks[name];
    const t1 = b.ticks[name];
    ms[name] = t0 === undefined || t1 === undefined ? null : Math.round(((t1 - t0) * 1000) / hz);
    coresOf[name] = ms[name] === null ? null : Number((ms[name]! / 1000 / seconds).toFixed(2));
  }
  const dTotal = b.machine.total - a.machine.total;
  const coresBusy = dTotal > 0 ? ((b.machine.busy - a.machine.busy) / dTotal) * cores : 0;
  const ours = Object.values(coresOf).reduce<number>((s, c) => s + (c ?? 0), 0);
  return {
    seconds: Number(seconds.toFixed(1)),
    ms,
    cores: coresOf,
    machine: { coresBusy: Number(coresBusy.toFixed(2)), cores, otherCores: Number(Math.max(0, coresBusy - ours).toFixed(2)) },
  };
}
