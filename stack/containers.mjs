// The test stack as containers (testcontainers), for machines with a Docker engine: the
// same three endpoints as the local stack. Loaded only on that path (stack/cli.mjs imports
// it lazily), after `npm ci`, so the local path keeps working without node_modules.
import { log } from './log.mjs';

export const images = {
  // Confluent Platform 8.1 is Apache Kafka 4.1 (KRaft); KafkaContainer drives Confluent's image.
  kafka: 'confluentinc/cp-kafka:8.1.0',
  registry: 'apicurio/apicurio-registry:3.3.3',
  mongo: 'mongo:8',
};

/** Starts Kafka, the registry and MongoDB; resolves to `{ endpoints, stop() }`. */
export async function startContainers() {
  const [{ GenericContainer, Wait }, { KafkaContainer }, { MongoDBContainer }] = await Promise.all([
    import('testcontainers'),
    import('@testcontainers/kafka'),
    import('@testcontainers/mongodb'),
  ]);
  const started = [];
  const stop = async () => {
    for (const c of started.reverse()) await c.stop().catch((err) => log(`stopping a container failed: ${err.message}`));
  };
  try {
    log(`starting containers: ${Object.values(images).join(', ')}…`);
    const [kafka, registry, mongo] = await Promise.all([
      new KafkaContainer(images.kafka)
        .withKraft()
        // One broker: internal topics need RF 1 / min ISR 1 or transactions fail.
        .withEnvironment({
          KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR: '1',
          KAFKA_TRANSACTION_STATE_LOG_MIN_ISR: '1',
          KAFKA_SHARE_COORDINATOR_STATE_TOPIC_REPLICATION_FACTOR: '1',
          KAFKA_SHARE_COORDINATOR_STATE_TOPIC_MIN_ISR: '1',
          KAFKA_AUTO_CREATE_TOPICS_ENABLE: 'false',
        })
        .start()
        .then((c) => (started.push(c), c)),
      new GenericContainer(images.registry)
        .withExposedPorts(8080)
        .withWaitStrategy(Wait.forHttp('/apis/ccompat/v7/subjects', 8080).forStatusCode(200))
        .withStartupTimeout(120_000)
        .start()
        .then((c) => (started.push(c), c)),
      new MongoDBContainer(images.mongo).start().then((c) => (started.push(c), c)),
    ]);
    const endpoints = {
      KAFKA_BROKERS: `${kafka.getHost()}:${kafka.getMappedPort(9093)}`,
      SCHEMA_REGISTRY_URL: `http://${registry.getHost()}:${registry.getMappedPort(8080)}/apis/ccompat/v7`,
      // The replica set advertises the container's own host name: connect to the one node directly.
      MONGODB_URI: `${mongo.getConnectionString()}/?directConnection=true`,
    };
    log(`containers ready: ${Object.entries(endpoints).map(([k, v]) => `${k}=${v}`).join(' ')}`);
    return { endpoints, stop };
  } catch (err) {
    await stop();
    throw new Error(`testcontainers could not start the stack (${err.message}); ORDER_SERVICE_STACK=local uses local processes instead`);
  }
}
