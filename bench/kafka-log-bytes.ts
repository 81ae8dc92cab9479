// Bytes a step wrote into Kafka, read from the broker's log directory (local broker only):
// the size of the *.log segment files of each partition — record batches as stored,
// headers, batch overhead and transaction markers included; the index files are
// preallocated and not counted. The offsets a processor commits go to the
// __consumer_offsets partition of its group and its transaction state to the
// __transaction_state partition of its transactional id; those partitions are shared with
// every other group that hashes to them, so their growth is an upper bound.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** `key=value` lines of a Java properties file (no continuation lines: the stack writes none). */
export function parseProperties(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const m = /^\s*([^#!=\s][^=]*?)\s*=\s*(.*?)\s*$/.exec(line);
    if (m) out[m[1]!] = m[2]!;
  }
  return out;
}

/** Java's String.hashCode, then Kafka's Utils.abs(hash) % partitions: the internal-topic partition of a group or transactional id. */
export function internalPartition(id: string, partitions: number): number {
  let h = 0;
  for (let i = 0; i < id.length; i++) h = (Math.imul(h, 31) + id.charCodeAt(i)) | 0;
  return (h & 0x7fffffff) % partitions;
}

export interface KafkaLog {
  dirs: string[];
  offsetsPartitions: number;
  transactionPartitions: number;
}

/** The log directories of the Kafka process `pid` (its properties file is the last argument of kafka.Kafka). */
export function kafkaLogOf(pid: number): KafkaLog | undefined {
  try {
    const args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
    const props = parseProperties(readFileSync(args.at(-1)!, 'utf8'));
    const dirs = (props['log.dirs'] ?? props['log.dir'] ?? '').split(',').filter(Boolean);
    if (dirs.length === 0) return undefined;
    return { dirs, offsetsPartitions: Number(props['offsets.topic.num.partitions'] ?? 50), transactionPartitions: Number(props['transaction.state.log.num.partitions'] ?? 50) };
  } catch {
    return undefined;
  }
}

/** Bytes of the *.log files of every partition of `topic` (or of the one partition `partition`). */
export function topicLogBytes(log: KafkaLog, topic: string, partition?: number): number {
  let bytes = 0;
  for (const dir of log.dirs) {
    for (const entry of readdirSync(dir)) {
      const m = /^(.*)-(\d+)$/.exec(entry);
      if (!m || m[1] !== topic || (partition !== undefined && Number(m[2]) !== partition)) continue;
      for (const f of readdirSync(join(dir, entry))) if (f.endsWith('.log')) bytes += statSync(join(dir, entry, f)).size;
    }
  }
  return bytes;
}

/** Bytes now in the internal partitions a processor group with these transactional ids writes to. */
export function internalLogBytes(log: KafkaLog, groupId: string, transactionalIds: string[]): { offsets: number; transactionState: number } {
  const txParts = new Set(transactionalIds.map((t) => internalPartition(t, log.transactionPartitions)));
  return {
    offsets: topicLogBytes(log, '__consumer_offsets', internalPartition(groupId, log.offsetsPartitions)),
    transactionState: [...txParts].reduce((s, p) => s + topicLogBytes(log, '__transaction_state', p), 0),
  };
}
