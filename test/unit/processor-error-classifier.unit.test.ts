// What each failure means to the runner (src/processor/error-classifier.ts).
import { KafkaJS } from '@confluentinc/kafka-javascript';
import { MongoNetworkError, MongoServerError } from 'mongodb';
import { describe, expect, it } from 'vitest';
import { AfterWriteError, classifyError } from '../../src/processor/error-classifier.js';
import { ConcurrentWriteError } from '../../src/processor/order-store.js';
import { SimulatedOutage } from '../../src/shared/failpoints.js';

const kafkaError = (message: string, code: number) => new KafkaJS.KafkaJSError(message, { code });

describe('classifyError', () => {
  it('a broker or database that does not answer is an outage', () => {
    expect(classifyError(kafkaError('Local: Timed out', KafkaJS.ErrorCodes.ERR__TIMED_OUT))).toBe('outage');
    expect(classifyError(new MongoNetworkError('connection refused'))).toBe('outage');
    expect(classifyError(new SimulatedOutage('abort'))).toBe('outage');
  });

  it('another writer is a conflict', () => {
    expect(classifyError(new ConcurrentWriteError('1 of 2'))).toBe('conflict');
  });

  it('an evicted group member is a lost membership, by code or inside a transaction error', () => {
    expect(classifyError(kafkaError('Broker: Unknown member', KafkaJS.ErrorCodes.ERR_UNKNOWN_MEMBER_ID))).toBe('membership');
    expect(classifyError(kafkaError('Broker: Specified group generation id is not valid', KafkaJS.ErrorCodes.ERR_ILLEGAL_GENERATION))).toBe('membership');
    // As librdkafka reported it in the broker-outage test: the code is the transaction's.
    const inTransaction = 'Failed to commit offsets to transaction on broker 127.0.0.1:9092/1: orders.commands((null))[1](Broker: Unknown member) (after 2ms)';
    expect(classifyError(kafkaError(inTransaction, KafkaJS.ErrorCodes.ERR__STATE))).toBe('membership');
  });

  it('records the broker refuses, bugs and refused documents are processing errors', () => {
    expect(classifyError(kafkaError('Broker: Message size too large', KafkaJS.ErrorCodes.ERR_MSG_SIZE_TOO_LARGE))).toBe('processing');
    expect(classifyError(new TypeError('x is undefined'))).toBe('processing');
    expect(classifyError(new MongoServerError({ message: 'document too large', code: 10334 }))).toBe('processing');
  });

  it('MongoDB write concern failures, write conflicts and interruptions are outages', () => {
    for (const code of [64, 112, 11601]) expect(classifyError(new MongoServerError({ message: `code ${code}`, code })), String(code)).toBe('outage');
  });

  // Issue 21 item 3: after the write, a dead letter would keep the change and lose its event.
  it('after the MongoDB write nothing is a processing error; membership and conflicts keep their meaning', () => {
    expect(classifyError(new AfterWriteError(new TypeError('x is undefined')))).toBe('outage');
    expect(classifyError(new AfterWriteError(kafkaError('Broker: Message size too large', KafkaJS.ErrorCodes.ERR_MSG_SIZE_TOO_LARGE)))).toBe('outage');
    expect(classifyError(new AfterWriteError(kafkaError('Broker: Unknown member', KafkaJS.ErrorCodes.ERR_UNKNOWN_MEMBER_ID)))).toBe('membership');
    expect(classifyError(new AfterWriteError(new ConcurrentWriteError('1 of 2')))).toBe('conflict');
  });
});
