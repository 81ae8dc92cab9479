// Named failpoints: compiled in, off by default, switched on by ORDER_SERVICE_FAILPOINTS,
// e.g. `after-mongo-write=exit@<commandId>,commit=timeout-after-success*1,plan=throw@<commandId>`.
// Each sits at one failure window that a random kill hits only by luck, so a test can
// put a crash or a fault exactly there. `@<commandId>` fires only for a batch holding
// that command; `*N` fires N times, then never again.

/** Where each failpoint sits. */
export const FAILPOINT_WINDOWS = {
  'before-mongo-write': 'after the batch is planned and encoded, before its MongoDB write',
  'after-mongo-write': 'after the batch is written to MongoDB, before its Kafka transaction',
  'before-commit': 'after the batch is written to MongoDB and its records sent, before its Kafka transaction commits (the next group may be planned and written meanwhile)',
  commit: 'the Kafka transaction commit',
  abort: 'aborting a failed Kafka transaction',
  'producer-reconnect': 'recreating the transactional producer after a failed abort',
  plan: 'planning a batch (decide/evolve of its commands)',
  'before-cache-update': 'after the MongoDB write, before the order cache takes the new states and the next group may start',
  'rebuild-after-write': '`order-service rebuild`: after a chunk of orders and history is written, before its checkpoint',
} as const;

export type FailpointName = keyof typeof FAILPOINT_WINDOWS;

export type FailpointAction =
  | { kind: 'exit' } // SIGKILL this process: a crash, no cleanup
  | { kind: 'stop' } // SIGSTOP this process: frozen (a long GC pause, a stalled VM) until someone sends SIGCONT
  | { kind: 'throw' } // an exception
  | { kind: 'outage' } // an error the processor takes for an outage (a broker or database not answering)
  | { kind: 'membership' } // an error the processor takes for a lost group membership (evicted, new generation)
  | { kind: 'sleep'; ms: number }
  | { kind: 'timeout-after-success' }; // commit: succeeds, then reports a timeout

interface Armed {
  action: FailpointAction;
  /** Lower-case commandId the batch must hold, if any. */
  commandId?: string;
  remaining: number;
}

const ACTION = /^(exit|stop|throw|outage|membership|sleep|timeout-after-success)(?::(\d+))?(?:@([^*]+))?(?:\*(\d+))?$/;

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
    const [, kind, ms, commandId, times] = m ?? [];
    const action: FailpointAction | undefined =
      kind === 'exit' && !ms ? { kind: 'exit' }
      : kind === 'stop' && !ms ? { kind: 'stop' }
      : kind === 'throw' && !ms ? { kind: 'throw' }
      : kind === 'outage' && !ms ? { kind: 'outage' }
      : kind === 'membership' && !ms ? { kind: 'membership' }
      : kind === 'sleep' && ms ? { kind: 'sleep', ms: Number(ms) }
      : kind === 'timeout-after-success' && !ms && name === 'commit' ? { kind: 'timeout-after-success' }
      : undefined;
    if (!action) {
      problems.push(`ORDER_SERVICE_FAILPOINTS: "${part}" must be <name>=exit|stop|throw|outage|membership|sleep:<ms>|timeout-after-success (commit only), optionally @<commandId> and *<times>`);
      continue;
    }
    armed.set(name as FailpointName, { action, remaining: times ? Number(times) : Number.POSITIVE_INFINITY, ...(commandId ? { commandId: commandId.toLowerCase() } : {}) });
  }
  return { armed, problems };
}

export class FailpointError extends Error {
  constructor(name: FailpointName, detail: string) {
    super(`failpoint ${name}: ${detail}`);
    this.name = 'FailpointError';
  }
}

/** Thrown by `<name>=outage`: what a broker or database that does not answer looks like to the processor. */
export class SimulatedOutage extends Error {
  constructor(name: FailpointName) {
    super(`failpoint ${name}: simulated outage`);
    this.name = 'SimulatedOutage';
  }
}

/** Thrown by `<name>=membership`: what a transaction refused for a stale group generation looks like. */
export class SimulatedMembershipLoss extends Error {
  constructor(name: FailpointName) {
    super(`failpoint ${name}: simulated ILLEGAL_GENERATION`);
    this.name = 'SimulatedMembershipLoss';
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
    const { action, commandId } = armed;
    if (commandId && !ctx.commandIds?.some((id) => id.toLowerCase() === commandId)) return;
    armed.remaining--;
    switch (action.kind) {
      case 'exit':
        process.kill(process.pid, 'SIGKILL');
        await new Promise(() => undefined); // never resumes: the process is gone
        return;
      case 'stop':
        process.kill(process.pid, 'SIGSTOP'); // resumes here after SIGCONT
        return;
      case 'throw':
        throw new FailpointError(name, commandId ? `exception for command ${commandId}` : 'exception');
      case 'outage':
        throw new SimulatedOutage(name);
      case 'membership':
        throw new SimulatedMembershipLoss(name);
      case 'sleep':
        await new Promise((r) => setTimeout(r, action.ms));
        return;
      case 'timeout-after-success':
        throw new SimulatedCommitTimeout();
    }
  }
}
