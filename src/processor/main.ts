// Process entry of one processor replica: `tsx src/processor/main.ts`.
import { createKafka } from '../shared/kafka.js';
import { createLogger } from '../shared/logger.js';
import { createMongoClient } from '../shared/mongo.js';
import { loadConfigOrExit, onShutdown, runMain } from '../shared/process-lifecycle.js';
import { createRegistry, schemaResolver } from '../shared/registry.js';
import { startTracing } from '../shared/tracing.js';
import { startOpsServer } from './http.js';
import { createProcessorMetrics } from './metrics.js';
import { CommandProcessor } from './processor.js';

async function main(): Promise<void> {
  const config = loadConfigOrExit();
  const logger = createLogger(`${config.serviceName}-processor`, config.logLevel);
  const tracing = startTracing(config.tracing, `${config.serviceName}-processor`);
  const mongo = createMongoClient(config.mongodbUri, `${config.serviceName}-processor`);
  const metrics = createProcessorMetrics();
  const processor = new CommandProcessor({
    config,
    options: config.processor,
    kafka: createKafka({ brokers: config.kafkaBrokers, clientId: config.processor.instanceId, security: config.kafkaSecurity }),
    db: mongo.db(config.mongodbDatabase),
    registry: createRegistry(config.schemaRegistryUrl),
    resolver: schemaResolver(config.schemaRegistryUrl),
    logger,
    metrics,
  });
  // The ops port answers first: while start() waits for Kafka or MongoDB, /ready says why.
  const ops = await startOpsServer(config.processorPort, '0.0.0.0', processor, metrics.registry);
  await processor.start();
  logger.info({ instanceId: config.processor.instanceId, port: config.processorPort, commands: config.topics.commands }, 'processor started');

  // The batch in flight finishes and commits, then the group is left.
  onShutdown(logger, 'processor', async () => {
    await processor.stop();
    ops.close();
    await mongo.close();
    await tracing.shutdown(); // the last batches' spans are exported before the exit
  });
}

runMain('processor', main);
