// `order-service rebuild`: the orders and their history rebuilt from the events topic —
// read from the beginning with read_committed, each order's events folded with the
// domain's evolve() — into a target database, plus what the processor needs to resume on
// it with exactly-once intact (rebuild-resume.ts). Resumable: a checkpoint after every
// chunk (rebuild-target.ts). docs/runbook-rebuild.md tells when and how to run it.
import { pathToFileURL } from 'node:url';
import { Command, CommanderError } from 'commander';
import type { Db } from 'mongodb';
import type { OrderState } from '../domain/index.js';
import type { OrderEvent, SchemaResolver } from '../schemas/index.js';
import { ConfigError, loadConfig, type Config } from '../shared/config.js';
import { Failpoints } from '../shared/failpoints.js';
import { createKafka, createTopicReader, type Admin } from '../shared/kafka.js';
import { createMongoClient } from '../shared/mongo.js';
import { ensureOrderIndexes } from '../shared/orders-collection.js';
import { ensureHistoryIndexes } from '../shared/history-collection.js';
import { schemaResolver } from '../shared/registry.js';
import { decodeEventRecord, foldEvent, recordPosition } from './event-fold.js';
import { DeadLetterNoteRestorer, GroupRunningError, OutcomeRestorer, positionsAt, resumePointOf, samePoint } from './rebuild-resume.js';
import { clearTarget, loadStates, nonEmptyCollections, readCheckpoint, rebuiltDocument, writeCheckpoint, writeChunk, type Checkpoint, type ResumePoint } from './rebuild-target.js';
import { highWatermarksOf, readTopic, type TopicRecord } from './topic-reader.js';

export interface RebuildOptions {
  /** Target database (default MONGODB_DATABASE). */
  database: string;
  /** Drop what the target holds first. */
  replace: boolean;
  /** Orders and history only, no processor state: a read model beside a running processor. */
  readModel: boolean;
  /** Events per chunk: one checkpoint each. */
  chunkEvents: number;
  /** Milliseconds between progress lines; 0 = none. */
  progressEveryMs: number;
}

export interface RebuildSummary {
  database: string;
  /** Events in the log (all runs of this rebuild). */
  events: number;
  /** Events read by this run. */
  eventsThisRun: number;
  /** Events whose order already had their version (read again after a resume, or published twice). */
  alreadyApplied: number;
  orders: number;
  seconds: number;
  eventsPerSecond: number;
  resumed: boolean;
  resume: Checkpoint['resume'];
  outcomesRestored: number;
  outcomesExpired: number;
  deadLetterNotesRestored: number;
}

/** The target may not be written (not empty, a processor running): exit 2, nothing changed. */
export class RebuildRefused extends Error {}

export interface RebuildIo {
  out?: (line: string) => void;
  err?: (line: string) => void;
}

const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');

export async function rebuild(config: Config, opts: RebuildOptions, io: RebuildIo = {}): Promise<RebuildSummary> {
  const err = io.err ?? ((line: string) => void process.stderr.write(`${line}\n`));
  const clientId = `${config.serviceName}-rebuild`;
  const kafka = createKafka({ brokers: config.kafkaBrokers, clientId, security: config.kafkaSecurity });
  const admin = kafka.admin();
  const mongo = createMongoClient(config.mongodbUri, clientId);
  const resolver = schemaResolver(config.schemaRegistryUrl);
  const failpoints = new Failpoints(config.processor.failpoints);
  await admin.connect();
  try {
    await mongo.connect();
    const db = mongo.db(opts.database);
    const { checkpoint, resumed } = await startOrResume(db, admin, config, opts);
    const started = Date.now();
    const fromEvents = checkpoint.events;
    const from = new Map(Object.entries(checkpoint.next).map(([p, o]) => [Number(p), BigInt(o)]));
    const remaining = await remainingEvents(admin, config.topics.events, from);
    const positions = positionsAt(checkpoint.resume);
    const fold = new ChunkFold(db, resolver, checkpoint.resume, positions, resumed, async (n, next) => {
      await failpoints.hit('rebuild-after-write');
      checkpoint.events += n;
      for (const [p, o] of next) checkpoint.next[String(p)] = String(o);
      await writeCheckpoint(db, checkpoint);
    });

    let lastProgress = Date.now();
    const progress = (final = false) => {
      if (opts.progressEveryMs <= 0 || (!final && Date.now() - lastProgress < opts.progressEveryMs)) return;
      lastProgress = Date.now();
      const done = checkpoint.events - fromEvents + fold.unwritten;
      const rate = done / Math.max(0.001, (Date.now() - started) / 1000);
      const eta = rate > 0 ? Math.max(0, remaining - done) / rate : 0;
      err(`rebuild: ${fmt(done)}/${fmt(remaining)} events (${remaining ? Math.floor((100 * done) / remaining) : 100}%), ${fmt(fold.orders)} orders, ${fmt(rate)} events/s, ETA ${Math.ceil(eta)} s`);
    };
    if (checkpoint.phase === 'events') {
      const next = new Map(from);
      const result = await readTopic(createTopicReader({ brokers: config.kafkaBrokers, clientId, security: config.kafkaSecurity }), config.topics.events, {
        from,
        highWatermarks: highWatermarksOf(admin, config.topics.events),
        onBatch: async (records) => {
          await fold.add(records);
          for (const r of records) next.set(r.partition, BigInt(r.offset) + 1n);
          if (fold.buffered >= opts.chunkEvents) await fold.flush(new Map(next));
          progress();
        },
      });
      await fold.flush(result.next);
      await fold.written();
      progress(true);
      if (checkpoint.resume) {
        // Offsets that moved mean a processor committed meanwhile: its writes and ours mixed.
        const now = await resumePointOf(admin, config);
        if (!samePoint(now, checkpoint.resume)) throw new Error(`the offsets of processor group ${config.processor.groupId} moved during the rebuild (a processor ran): rebuild again with --replace once it is stopped`);
      }
      checkpoint.phase = checkpoint.resume ? 'outcomes' : 'done';
      await writeCheckpoint(db, checkpoint);
    }

    let restorer: OutcomeRestorer | undefined;
    let notes: DeadLetterNoteRestorer | undefined;
    if (checkpoint.phase === 'outcomes') {
      const read = (topic: string, onBatch: (records: TopicRecord[]) => Promise<void>) =>
        readTopic(createTopicReader({ brokers: config.kafkaBrokers, clientId, security: config.kafkaSecurity }), topic, { highWatermarks: highWatermarksOf(admin, topic), onBatch });
      const retention = config.processor.outcomeRetentionSeconds;
      restorer = new OutcomeRestorer(db, resolver, retention);
      await read(config.topics.outcomes, (records) => restorer!.add(records));
      notes = new DeadLetterNoteRestorer(db, resolver, retention);
      // A DLQ that was never created holds no letters.
      if ((await admin.listTopics()).includes(config.topics.deadLetters)) await read(config.topics.deadLetters, (records) => notes!.add(records));
      checkpoint.phase = 'done';
    }
    await ensureOrderIndexes(db);
    await ensureHistoryIndexes(db);
    checkpoint.finishedAt = new Date();
    await writeCheckpoint(db, checkpoint);
    const seconds = (Date.now() - started) / 1000;
    const eventsThisRun = checkpoint.events - fromEvents;
    return {
      database: opts.database,
      events: checkpoint.events,
      eventsThisRun,
      alreadyApplied: fold.alreadyApplied,
      orders: await db.collection('orders').estimatedDocumentCount(),
      seconds,
      eventsPerSecond: eventsThisRun / Math.max(0.001, seconds),
      resumed,
      resume: checkpoint.resume,
      outcomesRestored: restorer?.restored ?? 0,
      outcomesExpired: restorer?.expired ?? 0,
      deadLetterNotesRestored: notes?.restored ?? 0,
    };
  } finally {
    await admin.disconnect().catch(() => undefined);
    await mongo.close().catch(() => undefined);
  }
}

/** The checkpoint to go on from: a new one on an empty (or --replace'd) target, or the unfinished one there. */
async function startOrResume(db: Db, admin: Admin, config: Config, opts: RebuildOptions): Promise<{ checkpoint: Checkpoint; resumed: boolean }> {
  let found = await readCheckpoint(db);
  if (opts.replace) {
    await clearTarget(db);
    found = null;
  }
  const point = opts.readModel ? null : await resumePointOf(admin, config);
  if (found) {
    if (found.phase === 'done') throw new RebuildRefused(`database ${opts.database} was rebuilt already (finished ${found.finishedAt?.toISOString() ?? '?'}); verify it, or rebuild it again with --replace`);
    if (found.eventsTopic !== config.topics.events) throw new RebuildRefused(`database ${opts.database} holds an unfinished rebuild from ${found.eventsTopic}, not ${config.topics.events}: --replace to start over`);
    if ((found.resume === null) !== opts.readModel) throw new RebuildRefused(`database ${opts.database} holds an unfinished rebuild ${found.resume === null ? 'of a read model' : 'for the processor'}: run it the same way again, or --replace`);
    if (point && found.resume && !samePoint(point, found.resume)) throw new RebuildRefused(`the offsets of processor group ${config.processor.groupId} moved since this rebuild started (a processor ran): --replace to start over`);
    return { checkpoint: found, resumed: true };
  }
  const nonEmpty = await nonEmptyCollections(db);
  if (nonEmpty.length > 0) throw new RebuildRefused(`database ${opts.database} is not empty (${nonEmpty.join(', ')} hold documents): rebuild into an empty database, or --replace to drop them first`);
  const now = new Date();
  const checkpoint: Checkpoint = { _id: 'rebuild', eventsTopic: config.topics.events, next: {}, events: 0, phase: 'events', resume: point, startedAt: now, updatedAt: now };
  await writeCheckpoint(db, checkpoint);
  return { checkpoint, resumed: false };
}

/** Records left to read (high watermark − start), for the ETA: transaction markers make it a slight overestimate. */
async function remainingEvents(admin: Admin, topic: string, from: ReadonlyMap<number, bigint>): Promise<number> {
  const offsets = await admin.fetchTopicOffsets(topic);
  return offsets.reduce((n, o) => n + Math.max(0, Number(o.high) - Number(from.get(o.partition) ?? BigInt(o.low))), 0);
}

/**
 * Events read and not yet written, folded into the states of their orders chunk by chunk.
 * Decoded as they arrive; a chunk is written while the next one is read (one in flight:
 * MongoDB writes stay one at a time), and its checkpoint follows its writes.
 */
class ChunkFold {
  private readonly states = new Map<string, OrderState>();
  /** Orders the target holds a document of: written by this run, or found there on resume. */
  private readonly stored = new Set<string>();
  private records: TopicRecord[] = [];
  private events: OrderEvent[] = [];
  private writing: Promise<void> = Promise.resolve();
  private inFlight = 0;
  alreadyApplied = 0;

  constructor(
    private readonly db: Db,
    private readonly resolver: SchemaResolver,
    private readonly resume: ResumePoint | null,
    private readonly positions: Record<string, string>,
    /** The target holds orders of an earlier run: those not seen yet are read from it. */
    private readonly resumed: boolean,
    /** After a chunk's writes: `n` events, and where the next chunk starts. */
    private readonly checkpoint: (n: number, next: ReadonlyMap<number, bigint>) => Promise<void>,
  ) {}

  get buffered(): number {
    return this.records.length;
  }

  /** Read and not yet written. */
  get unwritten(): number {
    return this.records.length + this.inFlight;
  }

  get orders(): number {
    return this.states.size;
  }

  async add(records: TopicRecord[]): Promise<void> {
    this.events.push(...(await Promise.all(records.map((r) => decodeEventRecord(r, this.resolver)))));
    this.records.push(...records);
  }

  /** Starts writing what is buffered once the chunk before is written; `next`: where the chunk after starts. */
  async flush(next: ReadonlyMap<number, bigint>): Promise<void> {
    await this.writing;
    const records = this.records;
    const events = this.events;
    this.records = [];
    this.events = [];
    this.inFlight = records.length;
    this.writing = this.write(records, events).then(() => this.checkpoint(records.length, next)).finally(() => (this.inFlight = 0));
    // Awaited by the next flush or written(); until then, a failure must not count as unhandled.
    this.writing.catch(() => undefined);
  }

  /** Resolves once every chunk is written (rejects with the first failure). */
  written(): Promise<void> {
    return this.writing;
  }

  private async write(records: TopicRecord[], events: OrderEvent[]): Promise<void> {
    if (this.resumed) {
      const unseen = [...new Set(events.map((e) => e.orderId))].filter((id) => !this.states.has(id));
      for (const [id, state] of await loadStates(this.db, unseen)) {
        this.states.set(id, state);
        this.stored.add(id);
      }
    }
    const changed = new Set<string>();
    events.forEach((e, i) => {
      const r = foldEvent(this.states.get(e.orderId), e, recordPosition(records[i]!));
      if (r.kind === 'already') this.alreadyApplied++;
      else {
        this.states.set(e.orderId, r.state);
        changed.add(e.orderId);
      }
    });
    const docs = [...changed].map((id) => ({ doc: rebuiltDocument(id, this.states.get(id)!, this.resume, this.positions), stored: this.stored.has(id) }));
    await writeChunk(this.db, docs, events);
    for (const id of changed) this.stored.add(id);
  }
}

export interface RebuildCliIo extends RebuildIo {
  env?: Record<string, string | undefined>;
}

/** Exit codes: 0 rebuilt, 1 failed (Kafka, MongoDB, an unreadable or incomplete log), 2 refused or bad usage. */
export async function runRebuildCli(argv: string[], io: RebuildCliIo = {}): Promise<number> {
  const out = io.out ?? ((line: string) => void process.stdout.write(`${line}\n`));
  const err = io.err ?? ((line: string) => void process.stderr.write(`${line}\n`));
  const program = new Command('rebuild')
    .description('rebuild the orders and their history from the events topic (read_committed, from the beginning) into a database, with what the processor needs to resume on it')
    .option('--database <name>', 'target database (default: MONGODB_DATABASE)')
    .option('--replace', 'drop the orders, history and outcomes the target holds first')
    .option('--read-model', 'orders and history only, no processor state (a read model beside a running processor)')
    .option('--chunk <events>', 'events per written chunk and checkpoint', '5000')
    .option('--quiet', 'no progress lines')
    .exitOverride()
    .configureOutput({ writeOut: (s) => out(s.trimEnd()), writeErr: (s) => err(s.trimEnd()) });
  try {
    program.parse(argv, { from: 'user' });
    const o = program.opts<{ database?: string; replace?: boolean; readModel?: boolean; chunk: string; quiet?: boolean }>();
    const chunkEvents = Number(o.chunk);
    if (!Number.isInteger(chunkEvents) || chunkEvents < 1) throw new RebuildRefused(`--chunk ${o.chunk} must be a positive integer`);
    const config = loadConfig(io.env ?? process.env);
    const s = await rebuild(config, { database: o.database ?? config.mongodbDatabase, replace: !!o.replace, readModel: !!o.readModel, chunkEvents, progressEveryMs: o.quiet ? 0 : 2000 }, { err });
    out(`rebuilt ${s.database} from ${config.topics.events}: ${fmt(s.events)} events, ${fmt(s.orders)} orders${s.resumed ? ` (resumed: ${fmt(s.eventsThisRun)} events this run)` : ''} in ${s.seconds.toFixed(1)} s, ${fmt(s.eventsPerSecond)} events/s`);
    if (s.alreadyApplied > 0) out(`${fmt(s.alreadyApplied)} events were already applied (read again after a resume, or published twice: run verify)`);
    if (s.resume) {
      const committed = Object.entries(s.resume.committed).map(([p, o]) => `${p}:${o}`).join(' ') || 'none';
      out(`processor state: positions at group ${config.processor.groupId}'s committed offsets (${committed}); ${fmt(s.outcomesRestored)} rejections' outcomes restored from ${config.topics.outcomes}, ${fmt(s.outcomesExpired)} older than OUTCOME_RETENTION_SECONDS left out (applied commands' outcomes are their history entries); ${fmt(s.deadLetterNotesRestored)} dead-letter notes from ${config.topics.deadLetters}`);
    } else out('read model: no processor state (positions, outcomes) written');
    return 0;
  } catch (e) {
    if (e instanceof CommanderError) return e.code === 'commander.helpDisplayed' || e.code === 'commander.help' ? 0 : 2;
    if (e instanceof ConfigError || e instanceof RebuildRefused || e instanceof GroupRunningError) {
      err(`rebuild refused: ${e.message}`);
      return 2;
    }
    err(`rebuild failed: ${(e as Error).message}`);
    return 1;
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = await runRebuildCli(process.argv.slice(2));
}
