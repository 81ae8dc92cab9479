// The scale-out curve: the same servers, 1, 2, 3… processor replicas (one consumer group,
// the command partitions shared among them) behind N edges, each at a few offered rates
// around the single-replica maximum. Per replica count: the highest rate that holds at
// each p99 bound, the most it completed end to end, and — from each process's CPU over its
// busiest step — which process is the ceiling, or that the machine itself is.
import { holds, P99_BOUNDS_MS } from './hold-criterion.js';
import type { CpuUsage } from './proc-cpu.js';
import type { StepResult, StepShape } from './rate-step.js';

/** A Node.js process runs JavaScript on one thread: at this many cores it is the ceiling (librdkafka and GC threads add a little). */
export const NODE_PROCESS_CEILING_CORES = 0.85;
/** The machine is the ceiling when its cores are this busy (everything on it, other work included). */
export const MACHINE_CEILING_SHARE = 0.9;
const NODE_PROCESSES = new Set(['edge', 'processor', 'load']);

export interface Ceiling {
  /** 'machine', a process name, or 'none' (nothing saturated: latency-bound, waiting on I/O). */
  ceiling: string;
  /** The process using the most cores per instance, and how many. */
  busiest: { name: string; coresPerInstance: number };
  why: string;
}

/** Which process limits a step, from its CPU: a single-threaded Node process near one core, else the whole machine near all cores. */
export function ceilingOf(cpu: CpuUsage, instances: Record<string, number>): Ceiling {
  const perInstance = Object.entries(cpu.cores)
    .filter((e): e is [string, number] => e[1] !== null)
    .map(([name, cores]) => ({ name, coresPerInstance: Number((cores / Math.max(1, instances[name] ?? 1)).toFixed(2)) }))
    .sort((a, b) => b.coresPerInstance - a.coresPerInstance);
  const busiest = perInstance[0] ?? { name: 'none', coresPerInstance: 0 };
  const node = perInstance.find((p) => NODE_PROCESSES.has(p.name) && p.coresPerInstance >= NODE_PROCESS_CEILING_CORES);
  if (node) return { ceiling: node.name, busiest, why: `${node.name} at ${node.coresPerInstance} cores per process (one JavaScript thread)` };
  if (cpu.machine.coresBusy >= cpu.machine.cores * MACHINE_CEILING_SHARE) {
    return { ceiling: 'machine', busiest, why: `${cpu.machine.coresBusy} of ${cpu.machine.cores} cores busy (${cpu.machine.otherCores} by work outside the bench); busiest ${busiest.name} at ${busiest.coresPerInstance}` };
  }
  return { ceiling: 'none', busiest, why: `no process near its limit, machine ${cpu.machine.coresBusy}/${cpu.machine.cores} cores: the time goes to waiting (I/O, transactions)` };
}

export interface ScaleOutPoint {
  processors: number;
  edges: number;
  steps: { offeredRate: number; e2ePerSecond: number; p99Ms: number; holds: Record<string, boolean>; cores: CpuUsage['cores']; machineCores: number; otherCores: number }[];
  /** Highest offered rate holding at each bound (0: none of those tried). */
  maxRate: Record<string, number>;
  /** The most completed end to end in one step (commands/s), and that step's p99. */
  peakE2ePerSecond: number;
  peakP99Ms: number;
  ceiling: Ceiling;
}

export function scaleOutPoint(processors: number, edges: number, steps: StepResult[]): ScaleOutPoint {
  const peak = [...steps].sort((a, b) => b.e2ePerSecond - a.e2ePerSecond)[0]!;
  const maxRate = Object.fromEntries(P99_BOUNDS_MS.map((b) => [String(b), Math.max(0, ...steps.filter((s) => holds(s, b)).map((s) => s.offeredRate))]));
  return {
    processors,
    edges,
    steps: steps.map((s) => ({
      offeredRate: s.offeredRate,
      e2ePerSecond: s.e2ePerSecond,
      p99Ms: s.fromAccept.p99,
      holds: s.holds,
      cores: s.cpu.cores,
      machineCores: s.cpu.machine.coresBusy,
      otherCores: s.cpu.machine.otherCores,
    })),
    maxRate,
    peakE2ePerSecond: peak.e2ePerSecond,
    peakP99Ms: peak.fromAccept.p99,
    ceiling: ceilingOf(peak.cpu, { edge: edges, processor: processors, load: 1 }),
  };
}

export interface ScaleOutOptions {
  replicas: number[];
  edges: number;
  /** Offered rates: these multiples of `baseRate`. */
  factors: number[];
  baseRate: number;
  seconds: number;
}

/** Every replica count at every offered rate, on fresh topics and databases; one point per replica count. */
export async function scaleOut(
  o: ScaleOutOptions,
  rateStep: (rate: number, seconds: number, role: 'scale', poolOrders: number, shape: StepShape) => Promise<StepResult>,
  log: (msg: string) => void,
): Promise<{ points: ScaleOutPoint[]; steps: StepResult[] }> {
  const points: ScaleOutPoint[] = [];
  const all: StepResult[] = [];
  for (const processors of o.replicas) {
    const steps: StepResult[] = [];
    for (const f of o.factors) {
      const rate = Math.max(10, Math.round((o.baseRate * f) / 10) * 10);
      steps.push(await rateStep(rate, o.seconds, 'scale', 0, { processors, edges: o.edges }));
    }
    const p = scaleOutPoint(processors, o.edges, steps);
    log(`  ${processors} processor(s), ${o.edges} edges: peak ${p.peakE2ePerSecond}/s (p99 ${p.peakP99Ms} ms), holds ${JSON.stringify(p.maxRate)}, ceiling ${p.ceiling.ceiling}: ${p.ceiling.why}`);
    points.push(p);
    all.push(...steps);
  }
  return { points, steps: all };
}
