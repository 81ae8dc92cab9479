// What the consumer still has to read of each partition, from librdkafka's statistics.
//
// Why not "end offset − committed offset": a transactional upstream (Kafka Streams, an
// exactly-once Java service) leaves a control record at every commit or abort, and an
// aborted transaction's records are never delivered under read_committed. The committed
// offset (last record processed + 1) stops before them, so that lag never reached 0.
// Kafka Streams commits the consumer's position instead; here that would need an extra
// transaction per marker, and librdkafka's position also covers records the KafkaJS
// layer has fetched but not handed over yet (committing it could skip them). The fetch
// position does move past markers and aborted records: what is left to read is
// (last stable offset − fetch position) + what librdkafka fetched and has not passed on.
// Records handed to the processor and not committed yet are counted by the processor.
// Not seen: records the KafkaJS layer took from librdkafka and has not handed over (a
// moment, unless that layer itself hangs). Reports arrive while the consume loop polls;
// when it does not, every worker is in a batch the processor holds, and counts.

/** The per-partition fields of librdkafka's statistics JSON this needs (STATISTICS.md). */
interface PartitionStats {
  partition: number;
  /** Next offset to fetch: past control records and aborted transactions once fetched. */
  next_offset: number;
  /** Last stable offset: the end a read_committed consumer can read up to. */
  ls_offset: number;
  /** Records (and control records) fetched, not yet consumed from librdkafka. */
  fetchq_cnt: number;
}

interface Statistics {
  topics?: Record<string, { partitions?: Record<string, PartitionStats> }>;
}

/** How often librdkafka reports (statistics.interval.ms): the lag readiness sees is this old at most. */
export const STATISTICS_INTERVAL_MS = 1000;

export class FetchProgress {
  private toReadBy = new Map<number, number>();

  constructor(private readonly topic: string) {}

  /** The consumer's stats_cb: librdkafka's statistics, as JSON in `message`. */
  readonly onStatistics = (event: { message: string }): void => {
    let stats: Statistics;
    try {
      stats = JSON.parse(event.message) as Statistics;
    } catch {
      return; // a report that does not parse changes nothing; the next one comes soon
    }
    const toRead = new Map<number, number>();
    for (const p of Object.values(stats.topics?.[this.topic]?.partitions ?? {})) {
      // -1 is librdkafka's internal "unassigned" partition; offsets < 0 are not known yet
      // (no fetch answered since the assignment).
      if (p.partition < 0 || p.ls_offset < 0 || p.next_offset < 0) continue;
      toRead.set(p.partition, Math.max(0, p.ls_offset - p.next_offset) + Math.max(0, p.fetchq_cnt));
    }
    this.toReadBy = toRead;
  };

  /** Records of this partition the consumer has not handed over yet (0 while not known). */
  toRead(partition: number): number {
    return this.toReadBy.get(partition) ?? 0;
  }
}
