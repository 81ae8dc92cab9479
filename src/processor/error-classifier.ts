// What a failed batch attempt means. The rule that comes first: once a group's MongoDB
// writes may have landed (AfterWriteError), its only endings are a commit or a retry —
// a dead letter would leave the state change in MongoDB with its event never published
// (G1/G2). So after the write nothing counts as a processing error: it is retried with
// backoff like an outage, and /ready names it. Isolation is for failures before any
// write (decode, plan, encode), where skipping a record leaves no trace. An outage (broker, MongoDB or registry unreachable,
// slow, not the leader, 5xx) heals by itself: retry with backoff, forever, never skip a
// record (G4). A conflict (another writer changed an order we read) heals by reading
// again. Anything else — a bug, an event the codec refuses, a document the server
// refuses — would fail the same way forever: it is isolated to the record that causes
// it and dead-lettered (Kafka Streams' processing-exception handler), so the partition
// moves on. A lost group membership (the broker evicted this consumer: session timeout,
// new generation) cannot heal while the batch is held: kafka-javascript rejoins only
// from a fetch, which waits for the batch handler. The batch goes back to the consumer.
import { KafkaJS } from '@confluentinc/kafka-javascript';
import { MongoError, MongoNetworkError, MongoServerSelectionError } from 'mongodb';
import { SimulatedCommitTimeout, SimulatedMembershipLoss, SimulatedOutage } from '../shared/failpoints.js';
import { RegistryUnavailableError, SchemaRegistrationError } from '../shared/registry.js';
import { ConcurrentWriteError } from './order-store.js';

export type ErrorKind = 'outage' | 'conflict' | 'processing' | 'membership';

/** A failure from the moment a group's MongoDB writes started (batch-pipeline.ts): never isolated. */
export class AfterWriteError extends Error {
  constructor(override readonly cause: Error) {
    super(`${cause.message} (after the MongoDB write: retried, never dead-lettered)`);
    this.name = 'AfterWriteError';
  }
}

/** MongoDB server codes that mean "not now" rather than "never" (network, elections, shutdown, time limits, write concern, write conflicts, interruptions). */
const MONGO_TRANSIENT_CODES = new Set([6, 7, 50, 64, 89, 91, 112, 189, 262, 9001, 10107, 11600, 11601, 11602, 13435, 13436]);

/** Kafka codes that no retry can fix: the records themselves are refused. */
const KAFKA_RECORD_REFUSED = new Set([
  KafkaJS.ErrorCodes.ERR_MSG_SIZE_TOO_LARGE,
  KafkaJS.ErrorCodes.ERR_INVALID_RECORD,
  KafkaJS.ErrorCodes.ERR_RECORD_LIST_TOO_LARGE,
]);

/** Kafka codes that say this consumer is no longer the group member whose offsets it sends. */
const KAFKA_MEMBERSHIP_LOST = new Set([
  KafkaJS.ErrorCodes.ERR_UNKNOWN_MEMBER_ID,
  KafkaJS.ErrorCodes.ERR_ILLEGAL_GENERATION,
  KafkaJS.ErrorCodes.ERR_FENCED_INSTANCE_ID,
  KafkaJS.ErrorCodes.ERR_REBALANCE_IN_PROGRESS,
]);
/** The same, when librdkafka reports them inside a transaction error (code: the transaction's state). */
const MEMBERSHIP_LOST_MESSAGE = /\b(Unknown member|UNKNOWN_MEMBER_ID|ILLEGAL_GENERATION|FENCED_INSTANCE_ID|REBALANCE_IN_PROGRESS)\b|generation id is not valid/;

const NODE_NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);

export function classifyError(err: unknown): ErrorKind {
  if (err instanceof AfterWriteError) {
    const kind = classifyError(err.cause);
    return kind === 'processing' ? 'outage' : kind;
  }
  if (err instanceof ConcurrentWriteError) return 'conflict';
  if (err instanceof SimulatedMembershipLoss) return 'membership';
  if (err instanceof RegistryUnavailableError || err instanceof SimulatedCommitTimeout || err instanceof SimulatedOutage) return 'outage';
  // The registry refuses one of our schemas (incompatible with what a subject holds): no
  // record can fix that, and dead-lettering every command whose event needs that schema
  // until someone fixes the registry would tear order histories apart. It blocks, and
  // /ready says why (the message names the subject).
  if (err instanceof SchemaRegistrationError) return 'outage';
  if (err instanceof KafkaJS.KafkaJSError) {
    if (KAFKA_MEMBERSHIP_LOST.has(err.code) || MEMBERSHIP_LOST_MESSAGE.test(err.message)) return 'membership';
    return KAFKA_RECORD_REFUSED.has(err.code) ? 'processing' : 'outage';
  }
  if (err instanceof MongoNetworkError || err instanceof MongoServerSelectionError) return 'outage';
  if (err instanceof MongoError) {
    if (err.hasErrorLabel('RetryableWriteError') || err.hasErrorLabel('TransientTransactionError')) return 'outage';
    if (typeof err.code === 'number' && MONGO_TRANSIENT_CODES.has(err.code)) return 'outage';
    // The client gave up waiting (pool closed, not connected): the server is the problem.
    if (['MongoNotConnectedError', 'MongoTopologyClosedError', 'MongoPoolClosedError', 'MongoOperationTimeoutError', 'MongoWaitQueueTimeoutError'].includes(err.name)) return 'outage';
    return 'processing';
  }
  if (err instanceof Error) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code && NODE_NETWORK_CODES.has(code)) return 'outage';
    if (err.name === 'TimeoutError' || err.name === 'AbortError') return 'outage';
  }
  return 'processing';
}
