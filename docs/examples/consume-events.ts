// Reads the order events (Avro through the schema registry) the way another Node service
// would, printing `type orderId version` per event. read_committed: events of a
// transaction the processor aborted are never seen, so each event arrives once.
// Run: KAFKA_BROKERS=… SCHEMA_REGISTRY_URL=… npx tsx docs/examples/consume-events.ts
// (MAX_EVENTS=N stops after N events; otherwise Ctrl-C).
import { KafkaJS } from '@confluentinc/kafka-javascript';
import { SchemaRegistry } from '@kafkajs/confluent-schema-registry';

const brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
const registry = new SchemaRegistry({ host: process.env.SCHEMA_REGISTRY_URL ?? 'http://127.0.0.1:8081/apis/ccompat/v7' });
const topic = process.env.TOPIC_EVENTS ?? 'wms.orders.events';
const maxEvents = Number(process.env.MAX_EVENTS ?? Infinity);

const kafka = new KafkaJS.Kafka({ kafkaJS: { brokers, clientId: 'consume-events-example' } });
const consumer = kafka.consumer({
  'isolation.level': 'read_committed',
  kafkaJS: { groupId: process.env.GROUP_ID ?? 'consume-events-example', fromBeginning: true },
} as KafkaJS.ConsumerConstructorConfig);

let seen = 0;
let enough: () => void = () => {};
const done = new Promise<void>((resolve) => (enough = resolve));
await consumer.connect();
await consumer.subscribe({ topic });
await consumer.run({
  eachMessage: async ({ message }) => {
    if (seen >= maxEvents) return;
    // The value's first bytes name its writer schema; decode fetches it once and caches it.
    const event = await registry.decode(message.value!);
    // The CloudEvents type header says which event it is (wms.order.received, …).
    console.log(`${message.headers?.ce_type} ${event.orderId} ${event.version}`);
    if (++seen >= maxEvents) enough();
  },
});
process.once('SIGINT', enough);
await done;
await consumer.disconnect();
