// Process entry of one edge replica: `tsx src/edge/main.ts`. Starts even while Kafka is
// down (commands then get 503 + Retry-After until it is back); topics are created when
// missing, retried in the background until the broker answers.
import type { Config } from '../shared/config.js';
import { createKafka, ensureTopics, type Kafka } from '../shared/kafka.js';
import { createLogger, type Logger } from '../shared/logger.js';
import { createMongoClient } from '../shared/mongo.js';
import { loadConfigOrExit, onShutdown, runMain } from '../shared/process-lifecycle.js';
import { schemaResolver } from '../shared/registry.js';
import { startTracing } from '../shared/tracing.js';
import { buildEdge } from './server.js';

async function provisionTopics(kafka: Kafka, config: Config, log: Logger, isStopping: () => boolean): Promise<void> {
  for (let attempt = 1; !isStopping(); attempt++) {
    const admin = kafka.admin();
    try {
      await admin.connect();
      await ensureTopics(
        admin,
        [config.topics.commands, config.topics.outcomes].map((topic) => ({ topic, numPartitions: config.commandPartitions })),
      );
      return;
    } catch (err) {
      log.warn({ err: (err as Error).message, attempt }, 'could not ensure Kafka topics; retrying');
      await new Promise((r) => setTimeout(r, Math.min(30_000, 1000 * attempt)));
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
  }
}

async function main(): Promise<void> {
  const config = loadConfigOrExit();
  const logger = createLogger(`${config.serviceName}-edge`, config.logLevel);
  // Before the app is built: its tracing hooks are added only when an SDK runs.
  const tracing = startTracing(config.tracing, `${config.serviceName}-edge`);
  const kafka = createKafka({ brokers: config.kafkaBrokers, clientId: `${config.serviceName}-edge`, security: config.kafkaSecurity });
  const mongo = createMongoClient(config.mongodbUri, `${config.serviceName}-edge`);
  // Not awaited: the edge starts while MongoDB is down too (reads then answer 503).
  mongo.connect().catch((err: Error) => logger.warn({ err: err.message }, 'MongoDB not reachable yet; the driver keeps trying'));
  let app: Awaited<ReturnType<typeof buildEdge>> | undefined;
  // Requests in flight finish (app.close waits for them), then MongoDB closes.
  const shutdown = onShutdown(logger, 'edge', async () => {
    await app?.close();
    await mongo.close();
    await tracing.shutdown();
  }, 15_000);
  void provisionTopics(kafka, config, logger, shutdown.isStopping);

  app = await buildEdge({ config, db: mongo.db(config.mongodbDatabase), kafka, resolver: schemaResolver(config.schemaRegistryUrl), logger });
  await app.listen({ port: config.port, host: '0.0.0.0' });
  logger.info({ port: config.port, commands: config.topics.commands }, 'edge listening');
}

runMain('edge', main);
