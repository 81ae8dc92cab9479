// Starts a real processor (in this process) against the real stack, with its own topics,
// database and consumer group so tests never share state.
import type { Db, MongoClient } from 'mongodb';
import { pino } from 'pino';
import { CommandProcessor } from '../../src/processor/processor.js';
import { createProcessorMetrics, type ProcessorMetrics } from '../../src/processor/metrics.js';
import { loadConfig, type Config } from '../../src/shared/config.js';
import { createKafka, type Kafka } from '../../src/shared/kafka.js';
import { createMongoClient } from '../../src/shared/mongo.js';
import { createRegistry, schemaResolver } from '../../src/shared/registry.js';
import { stackEnv, uniqueName } from './stack-env.js';

/** Environment for a processor/edge of one test: unique topics, database and group. */
export function isolatedEnv(prefix: string, partitions = 3): Record<string, string> {
  const env = stackEnv();
  const id = uniqueName(prefix);
  return {
    KAFKA_BROKERS: env.kafkaBrokers.join(','),
    SCHEMA_REGISTRY_URL: env.schemaRegistryUrl,
    MONGODB_URI: env.mongodbUri,
    MONGODB_DATABASE: id.replace(/[^A-Za-z0-9_]/g, '_'),
    TOPIC_COMMANDS: `${id}.commands`,
    TOPIC_EVENTS: `${id}.events`,
    TOPIC_OUTCOMES: `${id}.outcomes`,
    TOPIC_DLQ: `${id}.dlq`,
    COMMAND_PARTITIONS: String(partitions),
    PROCESSOR_GROUP_ID: `${id}-group`,
    PROCESSOR_INSTANCE_ID: `${id}-p1`,
    PROCESSOR_PORT: '0',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'warn',
  };
}

export interface RunningProcessor {
  processor: CommandProcessor;
  metrics: ProcessorMetrics;
  config: Config;
  kafka: Kafka;
  mongo: MongoClient;
  db: Db;
  stop(): Promise<void>;
}

export async function startProcessor(env: Record<string, string>): Promise<RunningProcessor> {
  const config = loadConfig(env);
  const kafka = createKafka({ brokers: config.kafkaBrokers, clientId: config.processor.instanceId });
  const mongo = createMongoClient(config.mongodbUri);
  await mongo.connect();
  const db = mongo.db(config.mongodbDatabase);
  const metrics = createProcessorMetrics();
  const processor = new CommandProcessor({
    config,
    options: config.processor,
    kafka,
    db,
    registry: createRegistry(config.schemaRegistryUrl),
    resolver: schemaResolver(config.schemaRegistryUrl),
    logger: pino({ level: config.logLevel }),
    metrics,
  });
  await processor.start();
  return {
    processor,
    metrics,
    config,
    kafka,
    mongo,
    db,
    async stop() {
      await processor.stop();
      await mongo.close();
    },
  };
}
