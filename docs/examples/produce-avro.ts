// One CreateOrder command written straight to Kafka as Avro, the way another Node service
// may (docs/design.md §3): the value in the Confluent wire format (0x00, schema id, Avro body),
// the key the orderId. Run: KAFKA_BROKERS=… SCHEMA_REGISTRY_URL=… npx tsx docs/examples/produce-avro.ts
// What became of it: wms.orders.command-outcomes, or GET /api/v1/commands/<commandId>.
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { KafkaJS } from '@confluentinc/kafka-javascript';
import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';

const brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
const registry = new SchemaRegistry({ host: process.env.SCHEMA_REGISTRY_URL ?? 'http://127.0.0.1:8081/apis/ccompat/v7' });
const topic = process.env.TOPIC_COMMANDS ?? 'wms.orders.commands';
const orderId = process.env.ORDER_ID ?? `ORD-${randomUUID()}`;
const commandId = randomUUID();

// The published schema of the command (also in docs/asyncapi.yaml). Subjects follow the
// TopicRecordNameStrategy, <topic>-<record full name>; registering a schema the subject
// already has just returns its id.
const schema = readFileSync(new URL('../../src/schemas/released/wms.orders.commands.CreateOrder.avsc.json', import.meta.url), 'utf8');
const { id } = await registry.register({ type: SchemaType.AVRO, schema }, { subject: `${topic}-wms.orders.commands.CreateOrder` });

const value = await registry.encode(id, {
  commandId, // the idempotency key: a re-sent command with the same id is applied once
  type: 'CreateOrder',
  orderId,
  issuedAt: new Date().toISOString(),
  correlationId: commandId,
  source: 'produce-avro-example',
  payload: {
    customerId: 'CUST-001',
    priority: 'standard',
    items: [{ sku: 'SKU-001', productName: 'Widget A', quantity: 2, price: { amount: '29.99', currency: 'USD' } }],
    shippingAddress: { street: '123 Main St', city: 'New York', state: 'NY', zipCode: '10001', country: 'US' },
    promisedDeliveryAt: null,
  },
});

// murmur2_random hashes keys like Java clients and our edge, so every command of an order
// lands in one partition (and is applied in order) whoever writes it; librdkafka's
// default partitioner hashes with CRC32 and would scatter them.
const kafka = new KafkaJS.Kafka({ kafkaJS: { brokers, clientId: 'produce-avro-example' } });
const producer = kafka.producer({ partitioner: 'murmur2_random', kafkaJS: { acks: -1, idempotent: true } } as KafkaJS.ProducerConstructorConfig);
await producer.connect();
await producer.send({
  topic,
  messages: [{ key: orderId, value, headers: { 'content-type': 'application/avro', 'command-type': 'CreateOrder', 'correlation-id': commandId } }],
});
await producer.disconnect();
console.log(`CreateOrder ${commandId} for ${orderId} written to ${topic}`);
