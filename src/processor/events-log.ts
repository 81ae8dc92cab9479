// The events topic is the record `order-service rebuild` restores the database from
// (docs/runbook-rebuild.md): it must keep every event. The processor creates it with
// retention.ms = TOPIC_EVENTS_RETENTION_MS (-1: forever) and checks at start what it can:
// kafka-javascript 1.10 has no DescribeConfigs, so the topic's retention is taken from
// that setting (declare the real value there for a topic made elsewhere), and what is
// certain — a partition whose log no longer starts at offset 0 has lost events — is read
// from the brokers. Either makes the processor warn and /ready say `degraded`.
import type { Admin } from '../shared/kafka.js';

export const KEEP_FOREVER = -1;

/** Topic configs of the events topic as the processor creates it. */
export const eventsTopicConfigs = (retentionMs: number): Record<string, string> => ({ 'retention.ms': String(retentionMs) });

/** Why a rebuild from the events topic would be incomplete; empty when it would not. */
export async function eventsLogWarnings(admin: Admin, topic: string, retentionMs: number): Promise<string[]> {
  const warnings: string[] = [];
  if (retentionMs !== KEEP_FOREVER) {
    warnings.push(
      `events topic ${topic} keeps events for ${retentionMs} ms (TOPIC_EVENTS_RETENTION_MS): older ones are deleted and a rebuild of the database from the log would be incomplete; keep the whole log (retention.ms=-1, or tiered storage)`,
    );
  }
  const truncated = (await admin.fetchTopicOffsets(topic)).filter((p) => Number(p.low) > 0);
  if (truncated.length > 0) {
    warnings.push(
      `events topic ${topic} lost its first events (partition ${truncated.map((p) => `${p.partition} starts at ${p.low}`).join(', ')}): a rebuild of the database from the log would be incomplete`,
    );
  }
  return warnings;
}
