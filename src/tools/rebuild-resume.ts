// What the processor needs beyond the orders to carry on with exactly-once (G1–G3) on a
// rebuilt database, and where each comes from:
// - positions: every command record below the group's committed offset was handled (its
//   events, if any, are in the log: events and offsets commit in one Kafka transaction).
//   So on every order, positions[p] = committed[p] − 1, under the commands topic's id: a
//   record at or below it, were the group's offsets ever reset, is a redelivery, never
//   decided again (its restored outcome is sent again, or, expired, it is dead-lettered
//   ALREADY_APPLIED — see src/processor/apply-batch.ts).
// - pending: empty. Only committed events are in the log; a command whose transaction did
//   not commit is at or above the committed offset and is decided afresh on the rebuilt
//   state (its events were never published).
// - outcomes: an applied command's is its history entry, rebuilt from its event; a
//   rejection's from the outcomes topic, if recorded within OUTCOME_RETENTION_SECONDS
//   (and still within the topic's retention): a resubmitted commandId gets its first
//   outcome again instead of being applied twice.
// - dead-letter notes (GET /commands/{id} says dead_lettered): from the DLQ topic, for
//   the same window, for each letter whose command can be read.
// This holds only while no processor of the group runs: the rebuild checks the group is
// empty before and after, and that its offsets did not move meanwhile.
import type { Db } from 'mongodb';
import type { Config } from '../shared/config.js';
import { topicIdOf, type Admin } from '../shared/kafka.js';
import { insertOnce } from '../shared/mongo.js';
import { outcomeKey, outcomesCollection, toOutcomeDocument, type OutcomeDocument } from '../shared/outcomes-collection.js';
import { decodeCommand, decodeOutcome, type SchemaResolver } from '../schemas/index.js';
import { recordCommandDeadLetters, type CommandDeadLetter } from '../shared/command-dead-letters-collection.js';
import { toDeadLetter } from './dlq-selection.js';
import type { ResumePoint } from './rebuild-target.js';
import { WRITE_CHUNK } from './rebuild-target.js';
import type { TopicRecord } from './topic-reader.js';
import { recordPosition } from './event-fold.js';

export class GroupRunningError extends Error {}

/**
 * How long a rebuild waits for the group to empty: a replica that was killed stays a
 * member until its session times out (10 s) and the group rebalances without it.
 */
const GROUP_EMPTY_WAIT_MS = 30_000;

/** Refuses while replicas of the processor group are members (they would write the database and move the offsets). */
export async function resumePointOf(admin: Admin, config: Config, waitMs = GROUP_EMPTY_WAIT_MS): Promise<ResumePoint> {
  const groupId = config.processor.groupId;
  const deadline = Date.now() + waitMs;
  let members = 0;
  for (;;) {
    const { groups } = await admin.describeGroups([groupId]);
    members = groups[0]?.members.length ?? 0;
    if (members === 0 || Date.now() > deadline) break;
    await new Promise((r) => setTimeout(r, 1000));
  }
  if (members > 0) {
    throw new GroupRunningError(
      `${members} processor replica(s) of group ${groupId} are still members after ${waitMs / 1000} s: stop them before a rebuild of the database they write (or build a separate read model with --read-model)`,
    );
  }
  const [offsets] = await admin.fetchOffsets({ groupId, topics: [config.topics.commands], requireStableOffsets: true });
  const committed: Record<string, string> = {};
  for (const p of offsets?.partitions ?? []) if (Number(p.offset) >= 0) committed[String(p.partition)] = String(p.offset);
  const commandsTopicId = await topicIdOf(admin, config.topics.commands).catch((err: Error) => {
    throw new Error(`cannot read the commands topic ${config.topics.commands} (${err.message}): the processor's resume state is taken from it; --read-model builds orders and history without it`);
  });
  return { commandsTopicId, committed };
}

export const samePoint = (a: ResumePoint, b: ResumePoint): boolean =>
  a.commandsTopicId === b.commandsTopicId && JSON.stringify(Object.entries(a.committed).sort()) === JSON.stringify(Object.entries(b.committed).sort());

/** positions of every rebuilt order: the last offset handled of each partition (see the file comment). */
export function positionsAt(point: ResumePoint | null): Record<string, string> {
  const positions: Record<string, string> = {};
  for (const [partition, next] of Object.entries(point?.committed ?? {})) if (BigInt(next) > 0n) positions[partition] = String(BigInt(next) - 1n);
  return positions;
}

/** Records restored for as long as the processor keeps their kind (OUTCOME_RETENTION_SECONDS), counted from their timestamps. */
abstract class WindowedRestorer {
  restored = 0;
  expired = 0;

  constructor(
    protected readonly db: Db,
    protected readonly resolver: SchemaResolver,
    private readonly retentionSeconds: number,
    private readonly now = Date.now(),
  ) {}

  protected within(r: TopicRecord): boolean {
    const kept = this.now - r.timestamp <= this.retentionSeconds * 1000;
    if (!kept) this.expired++;
    return kept;
  }
}

/**
 * Rejections' outcome records as the processor stored them: recorded at the record's
 * timestamp (so they expire when the originals would have), the first one of a commandId
 * kept. Applied outcomes are skipped: their history entries are them.
 */
export class OutcomeRestorer extends WindowedRestorer {
  private readonly seen = new Set<string>();

  async add(records: TopicRecord[]): Promise<void> {
    const docs: OutcomeDocument[] = [];
    for (const r of records) {
      let outcome;
      try {
        outcome = await decodeOutcome(r.value, this.resolver);
      } catch (err) {
        throw new Error(`outcome at ${recordPosition(r)} cannot be read: ${(err as Error).message}`);
      }
      const key = outcomeKey(outcome.commandId);
      if (this.seen.has(key)) continue;
      this.seen.add(key);
      if (outcome.status === 'applied' || !this.within(r)) continue;
      docs.push(toOutcomeDocument(outcome, new Date(r.timestamp)));
    }
    for (let i = 0; i < docs.length; i += WRITE_CHUNK) await insertOnce(outcomesCollection(this.db), docs.slice(i, i + WRITE_CHUNK));
    this.restored += docs.length;
  }
}

/** Dead-letter notes as the processor wrote them: recorded at the letter's timestamp, for letters whose command can be read. */
export class DeadLetterNoteRestorer extends WindowedRestorer {
  async add(records: TopicRecord[]): Promise<void> {
    const byTime = new Map<number, CommandDeadLetter[]>();
    for (const r of records) {
      if (!this.within(r)) continue;
      // A letter without its value, or one that is no command at all, has no commandId to note.
      const command = await decodeCommand(r.value, this.resolver).catch(() => undefined);
      if (!command) continue;
      const letter = toDeadLetter(r);
      byTime.set(r.timestamp, [...(byTime.get(r.timestamp) ?? []), { commandId: command.commandId, orderId: command.orderId, code: letter.errorCode, reason: letter.reason }]);
    }
    for (const [at, letters] of byTime) {
      for (let i = 0; i < letters.length; i += WRITE_CHUNK) await recordCommandDeadLetters(this.db, letters.slice(i, i + WRITE_CHUNK), new Date(at));
      this.restored += letters.length;
    }
  }
}
