// Runs a group of partition batches through the pipeline until it is done, whatever
// fails (the exception handlers of Kafka Streams, in one place):
// - an outage is retried with capped exponential backoff, forever (G4: never skip);
// - a conflict is retried reading every order again: at once a few times (a create
//   assumed new, a zombie's lost race), then with backoff — a conflict that persists
//   (a document someone else keeps changing or wrote without our revision) must not spin;
// - a lost group membership hands the batches back to the consumer (the handler throws,
//   the consumer seeks back, rejoins and delivers again from what the group committed);
// - a processing error is retried once, then isolated: each partition batch is split in
//   halves, in offset order, until the one record that fails is found; that record is
//   dead-lettered as PROCESSING_FAILED and the rest goes on.
// Before any retry, what the group already committed is dropped: a commit reported as
// failed may have succeeded, and publishing its pending events again would duplicate them.
// A group whose predecessor in the pipeline will never commit stops at once (the
// processor rewinds both).
import type { Logger } from '../shared/logger.js';
import type { Batch, BatchPipeline, Turn } from './batch-pipeline.js';
import { PredecessorFailedError } from './committer.js';
import { classifyError, type ErrorKind } from './error-classifier.js';
import type { ProcessorMetrics } from './metrics.js';
import type { OrderCache } from './order-cache.js';

/** A batch the consumer handed over, with a way to know it was revoked meanwhile. */
export interface OwnedBatch {
  batch: Batch;
  isStale: () => boolean;
}

export interface RunnerDeps {
  pipeline: BatchPipeline;
  cache: OrderCache;
  logger: Logger;
  metrics: ProcessorMetrics;
  isStopping: () => boolean;
  /** Each attempt and each failure, for readiness and liveness. */
  onAttempt: () => void;
  onFailure: (err: Error, kind: ErrorKind) => void;
  onSuccess: () => void;
}

/** Thrown out of the batch handler: the consumer must rejoin its group before anything can commit. */
export class MembershipLostError extends Error {
  constructor(cause: Error) {
    super(`group membership lost, batch handed back to the consumer to rejoin: ${cause.message}`);
    this.name = 'MembershipLostError';
  }
}

/** Processing errors tolerated on a whole group before isolating the record behind them. */
const PROCESSING_ATTEMPTS = 2;

/** Conflicts in a row retried without waiting; the ones after back off like outages. */
const IMMEDIATE_CONFLICT_RETRIES = 3;

const backoffMs = (attempt: number): number => Math.min(5000, 100 * 2 ** Math.min(attempt - 1, 10)) * (0.5 + Math.random() / 2);

const halves = (b: Batch): [Batch, Batch] => {
  const mid = Math.ceil(b.messages.length / 2);
  return [
    { ...b, messages: b.messages.slice(0, mid) },
    { ...b, messages: b.messages.slice(mid) },
  ];
};

export class BatchRunner {
  constructor(private readonly deps: RunnerDeps) {}

  /** `turn`: the group's place in the pipeline (without one, it commits as soon as it can). */
  async run(owned: OwnedBatch[], turn?: Turn): Promise<void> {
    const failed = await this.attempt(owned, PROCESSING_ATTEMPTS, false, turn);
    if (!failed) return;
    // The halves commit one by one, without a turn: only once the group before has committed.
    await turn?.previous.catch((err: unknown) => {
      throw new PredecessorFailedError(err);
    });
    for (const o of owned) await this.isolate(o, failed);
  }

  /**
   * Processes until done (undefined), revoked or stopping; returns the processing error
   * once `processingAttempts` attempts ended in one. `afterFailure`: an earlier attempt
   * at these records failed, so some may be committed already (checked first).
   */
  private async attempt(owned: OwnedBatch[], processingAttempts: number, afterFailure: boolean, turn?: Turn): Promise<Error | undefined> {
    const { pipeline, logger, metrics } = this.deps;
    let processingFailures = 0;
    let conflictsInARow = 0;
    let failedBefore = afterFailure;
    for (let attempt = 1; ; attempt++) {
      if (this.deps.isStopping() && attempt > 1) throw new Error('stopping: batch left to the next owner');
      let batches = owned.filter((o) => !o.isStale()).map((o) => o.batch);
      try {
        this.deps.onAttempt();
        if (failedBefore) batches = await this.uncommitted(batches);
        if (batches.length === 0) return undefined; // revoked meanwhile: the next owner starts from the committed offset
        // A retry reads every order: the first attempt may have failed on a create assumed new.
        await pipeline.process(batches, !failedBefore, turn);
        this.deps.onSuccess();
        return undefined;
      } catch (err) {
        const error = err instanceof Error ? err : new Error(String(err));
        const kind = classifyError(error);
        failedBefore = true;
        this.deps.cache.reset();
        metrics.batchRetries.inc({ kind });
        this.deps.onFailure(error, kind);
        logger.warn({ err: error.message, kind, attempt, batches: batches.map((b) => ({ partition: b.partition, firstOffset: b.messages[0]?.offset, records: b.messages.length })) }, 'batch failed');
        if (error instanceof PredecessorFailedError) throw error;
        if (kind === 'membership') throw new MembershipLostError(error);
        if (kind === 'processing' && ++processingFailures >= processingAttempts) return error;
        conflictsInARow = kind === 'conflict' ? conflictsInARow + 1 : 0;
        const waitMs = kind !== 'conflict' ? backoffMs(attempt) : conflictsInARow > IMMEDIATE_CONFLICT_RETRIES ? backoffMs(conflictsInARow - IMMEDIATE_CONFLICT_RETRIES) : 0;
        if (waitMs > 0) await new Promise((r) => setTimeout(r, waitMs));
      }
    }
  }

  /** Splits until the failing record is alone, then dead-letters it; everything else is processed. */
  private async isolate(owned: OwnedBatch, error: Error): Promise<void> {
    if (owned.batch.messages.length === 0) return;
    if (owned.batch.messages.length === 1) return this.deadLetter(owned, error);
    for (const half of halves(owned.batch)) {
      const part = { batch: half, isStale: owned.isStale };
      const failed = await this.attempt([part], 1, true);
      if (failed) await this.isolate(part, failed);
    }
  }

  private async deadLetter(owned: OwnedBatch, error: Error): Promise<void> {
    const { batch } = owned;
    const offset = batch.messages[0]!.offset;
    this.deps.logger.error({ err: error.message, partition: batch.partition, offset }, 'record fails processing: dead-lettered as PROCESSING_FAILED');
    for (let attempt = 1; !owned.isStale(); attempt++) {
      try {
        // Isolation follows failed attempts: this record may be committed already.
        if ((await this.uncommitted([batch])).length === 0) return;
        await this.deps.pipeline.deadLetter(batch, error);
        this.deps.onSuccess();
        return;
      } catch (err) {
        if (this.deps.isStopping()) throw err;
        const kind = classifyError(err);
        if (kind === 'membership') throw new MembershipLostError(err as Error);
        this.deps.onFailure(err as Error, kind);
        await new Promise((r) => setTimeout(r, backoffMs(attempt)));
      }
    }
  }

  /** The records of these batches the group has not committed yet. */
  private async uncommitted(batches: Batch[]): Promise<Batch[]> {
    if (batches.length === 0) return batches;
    const committed = await this.deps.pipeline.committedOffsets(batches);
    const rest: Batch[] = [];
    for (const b of batches) {
      const next = committed.get(b.partition);
      const messages = next === undefined ? b.messages : b.messages.filter((m) => BigInt(m.offset) >= next);
      if (messages.length < b.messages.length) this.deps.logger.info({ partition: b.partition, committed: b.messages.length - messages.length }, 'records already committed (a commit reported failed had succeeded): not processed again');
      if (messages.length > 0) rest.push({ ...b, messages });
    }
    return rest;
  }
}
