// The one place Kafka clients are made. Every producer hashes keys with murmur2
// (Java/KafkaJS-compatible): librdkafka defaults to CRC32 and the compat layer only
// switches when its kafkaJS block is non-empty, so we always set it explicitly.
import { KafkaJS, RdKafka } from '@confluentinc/kafka-javascript';
import type { KafkaSecurity } from './config.js';

export type Kafka = KafkaJS.Kafka;
export type Producer = KafkaJS.Producer;
export type Consumer = KafkaJS.Consumer;
export type Admin = KafkaJS.Admin;

export const JAVA_COMPATIBLE_PARTITIONER = 'murmur2_random';

export interface KafkaConnection {
  brokers: string[];
  clientId: string;
  security?: KafkaSecurity;
}

export function createKafka({ brokers, clientId, security }: KafkaConnection): Kafka {
  return new KafkaJS.Kafka({
    kafkaJS: {
      brokers,
      clientId,
      logLevel: KafkaJS.logLevel.WARN,
      ssl: security?.ssl ?? false,
      ...(security?.sasl ? { sasl: security.sasl } : {}),
    },
  } as KafkaJS.CommonConstructorConfig);
}

export interface ProducerOptions {
  /** Set for exactly-once producers (the processor); implies idempotence. */
  transactionalId?: string;
  /** Bounds how long an unfinished transaction of a crashed replica blocks read_committed readers. */
  transactionTimeoutMs?: number;
  lingerMs?: number;
  /** Give up on an unacknowledged record after this long (librdkafka message.timeout.ms; default 300 s). */
  messageTimeoutMs?: number;
  /** Other librdkafka settings (e.g. the record size limits of src/processor/record-limits.ts). */
  librdkafka?: Record<string, string | number>;
}

export function createProducer(kafka: Kafka, opts: ProducerOptions = {}): Producer {
  return kafka.producer({
    partitioner: JAVA_COMPATIBLE_PARTITIONER,
    'linger.ms': opts.lingerMs ?? 5,
    ...(opts.messageTimeoutMs ? { 'message.timeout.ms': opts.messageTimeoutMs } : {}),
    ...opts.librdkafka,
    kafkaJS: {
      acks: -1,
      idempotent: true,
      ...(opts.transactionalId ? { transactionalId: opts.transactionalId, transactionTimeout: opts.transactionTimeoutMs ?? 60_000 } : {}),
    },
  } as KafkaJS.ProducerConstructorConfig);
}

/**
 * A plain librdkafka consumer for reading a topic to its end by assignment (no group is
 * joined, nothing committed): unlike the KafkaJS layer it reports partition EOF, which
 * is the only exact "caught up" under read_committed, where transaction markers hold
 * the last offsets and are never delivered.
 */
export function createTopicReader({ brokers, clientId, security }: KafkaConnection): RdKafka.KafkaConsumer {
  const sasl = security?.sasl;
  return new RdKafka.KafkaConsumer(
    {
      'bootstrap.servers': brokers.join(','),
      'client.id': clientId,
      'group.id': `${clientId}-reader`, // librdkafka wants one; assign() never joins it
      'enable.auto.commit': false,
      'enable.partition.eof': true,
      'isolation.level': 'read_committed',
      'security.protocol': sasl ? (security?.ssl ? 'sasl_ssl' : 'sasl_plaintext') : security?.ssl ? 'ssl' : 'plaintext',
      ...(sasl ? { 'sasl.mechanisms': sasl.mechanism.toUpperCase(), 'sasl.username': sasl.username, 'sasl.password': sasl.password } : {}),
    },
    { 'auto.offset.reset': 'earliest' },
  );
}

export interface TopicSpec {
  topic: string;
  numPartitions: number;
  configs?: Record<string, string>;
}

/** Creates the topics that do not exist yet (auto-creation is off on our brokers). */
/** Kafka's id of a topic: it changes when the topic is re-created, and a mirror's differs, where offsets start over. */
export async function topicIdOf(admin: Admin, topic: string): Promise<string> {
  const topics = await admin.fetchTopicMetadata({ topics: [topic] });
  // The typings say base64str; the client sets base64.
  const uuid = (topics[0] as { topicId?: { base64?: string; base64str?: string } } | undefined)?.topicId;
  const id = uuid?.base64 ?? uuid?.base64str;
  if (!id) throw new Error(`Kafka told no topic id for ${topic}`);
  return id;
}

export async function ensureTopics(admin: Admin, specs: TopicSpec[]): Promise<void> {
  const existing = new Set(await admin.listTopics());
  const missing = specs.filter((s) => !existing.has(s.topic));
  if (missing.length === 0) return;
  await admin.createTopics({
    topics: missing.map((s) => ({
      topic: s.topic,
      numPartitions: s.numPartitions,
      replicationFactor: -1,
      configEntries: Object.entries(s.configs ?? {}).map(([name, value]) => ({ name, value })),
    })),
  });
}
