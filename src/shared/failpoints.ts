// Named failpoints: compiled in, off by default, switched on by ORDER_SERVICE_FAILPOINTS,
// e.g. `after-mongo-write=exit,commit=timeout-after-success*1,plan=throw:<commandId>`.
// Each sits at one failure window that a random kill hits only by luck, so a test can
// put a crash or a fault exactly there. `*N` fires N times, then never again.

/** Where each failpoint sits. */
export const FAILPOINT_WINDOWS = {
  'after-mongo-write': 'after the batch is written to MongoDB, before its Kafka transaction',
  commit: 'the Kafka transaction commit',
  plan: 'planning a batch (decide/evolve of its commands)',
  'before-cache-update': 'after the Kafka commit, before the order cache takes the new states',
} as const;

export type FailpointName = keyof typeof FAILPOINT_WINDOWS;

export type FailpointAction =
  | { kind: 'exit' } // SIGKILL this process: a crash, no cleanup
  | { kind: 'throw'; commandId?: string } // an exception (only for a batch holding commandId, when given)
  | { kind: 'sleep'; ms: number }
  | { kind: 'timeout-after-success' }; // commit: succeeds, then reports a timeout

interface Armed {
  action: FailpointAction;
  remaining: number;
}

const ACTION = /^(exit|throw|sleep|timeout-after-success)(?::([^*]+))?(?:\*(\d+))?$/;

/** Parses the variable; returns the problems instead of throwing (config reports them all). */
export function parseFailpoints(spec: string | undefined): { armed: Map<FailpointName, Armed>; problems: string[] } {
  const armed = new Map<FailpointName, Armed>();
  const problems: string[] = [];
  for (const part of (spec ?? '').split(',').map((p) => p.trim()).filter(Boolean)) {
    const [name, raw = ''] = part.split('=', 2).map((s) => s.trim()) as [string, string?];
    if (!(name in FAILPOINT_WINDOWS)) {
      problems.push(`ORDER_SERVICE_FAILPOINTS: unknown failpoint "${name}" (known: ${Object.keys(FAILPOINT_WINDOWS).join(', ')})`);
      continue;
    }
    const m = ACTION.exec(raw);
    const arg = m?.[2];
    const action: FailpointAction | undefined =
      m?.[1] === 'exit' ? { kind: 'exit' }
      : m?.[1] === 'throw' ? (arg ? { kind: 'throw', commandId: arg.toLowerCase() } : { kind: 'throw' })
      : m?.[1] === 'sleep' && arg && /^\d+$/.test(arg) ? { kind: 'sleep', ms: Number(arg) }
      : m?.[1] === 'timeout-after-success' && name === 'commit' ? { kind: 'timeout-after-success' }
      : undefined;
    if (!action) {
      problems.push(`ORDER_SERVICE_FAILPOINTS: "${part}" must be <name>=exit|throw[:commandId]|sleep:<ms>|timeout-after-success (commit only), optionally *<times>`);
      continue;
    }
    armed.set(name as FailpointName, { action, remaining: m?.[3] ? Number(m[3]) : Number.POSITIVE_INFINITY });
  }
  return { armed, problems };
}

export class FailpointError extends Error {
  constructor(name: FailpointName, detail: string) {
    super(`failpoint ${name}: ${detail}`);
    this.name = 'FailpointError';
  }
}

/** Thrown by `commit=timeout-after-success`: looks like the client's commit timeout. */
export class SimulatedCommitTimeout extends Error {
  constructor() {
    super('failpoint commit: transaction commit timed out (it succeeded)');
    this.name = 'SimulatedCommitTimeout';
  }
}

export class Failpoints {
  private readonly armed: Map<FailpointName, Armed>;

  constructor(spec?: string) {
    const { armed, problems } = parseFailpoints(spec);
    if (problems.length > 0) throw new Error(problems.join('; '));
    this.armed = armed;
  }

  get active(): boolean {
    return this.armed.size > 0;
  }

  /** Fires `name` if armed (and, for `throw:<commandId>`, if the batch holds that command). */
  async hit(name: FailpointName, ctx: { commandIds?: readonly string[] } = {}): Promise<void> {
    const armed = this.armed.get(name);
    if (!armed || armed.remaining <= 0) return;
    const { action } = armed;
    if (action.kind === 'throw' && action.commandId && !ctx.commandIds?.some((id) => id.toLowerCase() === action.commandId)) return;
    armed.remaining--;
    switch (action.kind) {
      case 'exit':
        process.kill(process.pid, 'SIGKILL');
        await new Promise(() => undefined); // never resumes: the process is gone
        return;
      case 'throw':
        throw new FailpointError(name, action.commandId ? `exception for command ${action.commandId}` : 'exception');
      case 'sleep':
        await new Promise((r) => setTimeout(r, action.ms));
        return;
      case 'timeout-after-success':
        throw new SimulatedCommitTimeout();
    }
  }
}
