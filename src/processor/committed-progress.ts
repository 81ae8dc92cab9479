// How far the outputs of each partition of the commands topic are known to be committed,
// kept in MongoDB (`command_progress`, one small document per partition of one topic id).
// The group's committed offset is not that: a reset of the group's offsets (or a new
// group) starts it from the beginning again, and pending entries left in the orders from
// long-committed transactions would then be published a second time. The stored value
// only grows ($max) and is written after a commit, off the batch's path: a value a little
// behind only means a pending entry is taken as unconfirmed, which is always safe.
import type { Collection, Db } from 'mongodb';
import type { Logger } from '../shared/logger.js';

export const PROGRESS_COLLECTION = 'command_progress';

interface ProgressDocument {
  _id: string;
  /** The next offset of the partition whose outputs are known committed. */
  next: number;
}

export interface ProgressSink {
  /** Per partition, the next offset known committed: only ever raised. */
  learn(partition: number, next: bigint): void;
  readonly knownCommitted: ReadonlyMap<number, bigint>;
}

export class CommittedProgress {
  private readonly collection: Collection<ProgressDocument>;
  /** One write in flight per partition; a newer value waits here and replaces older ones. */
  private readonly queued = new Map<number, bigint>();
  private readonly writing = new Set<number>();

  constructor(db: Db, private readonly topicId: string, private readonly logger: Logger) {
    this.collection = db.collection<ProgressDocument>(PROGRESS_COLLECTION);
  }

  private key(partition: number): string {
    return `${this.topicId}/${partition}`;
  }

  /** Tells `sink` the stored progress of the partitions it knows nothing of (after an assignment or a restart). */
  async seed(sink: ProgressSink, partitions: readonly number[]): Promise<void> {
    const unknown = partitions.filter((p) => !sink.knownCommitted.has(p));
    if (unknown.length === 0) return;
    const docs = await this.collection.find({ _id: { $in: unknown.map((p) => this.key(p)) } }).toArray();
    for (const doc of docs) sink.learn(Number(doc._id.slice(doc._id.lastIndexOf('/') + 1)), BigInt(doc.next));
  }

  /** Stores that outputs below `next` committed; never waits for the write, never lowers the value. */
  record(partition: number, next: bigint): void {
    const queued = this.queued.get(partition);
    if (queued === undefined || next > queued) this.queued.set(partition, next);
    if (!this.writing.has(partition)) void this.drain(partition);
  }

  private async drain(partition: number): Promise<void> {
    this.writing.add(partition);
    try {
      for (let next = this.queued.get(partition); next !== undefined; next = this.queued.get(partition)) {
        this.queued.delete(partition);
        await this.collection.updateOne({ _id: this.key(partition) }, { $max: { next: Number(next) } }, { upsert: true }).catch((err: Error) => {
          // Lost progress is only lost knowledge: the next commit stores a later value.
          this.logger.warn({ partition, err: err.message }, 'committed progress not stored');
        });
      }
    } finally {
      this.writing.delete(partition);
    }
  }
}
