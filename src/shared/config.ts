// Environment → typed configuration. Bad configuration fails at start with one clear
// line per problem (DESIGN §8); nothing else in the service reads process.env.

export interface KafkaSecurity {
  ssl: boolean;
  sasl?: { mechanism: 'plain' | 'scram-sha-256' | 'scram-sha-512'; username: string; password: string };
}

export interface Topics {
  commands: string;
  events: string;
  outcomes: string;
  deadLetters: string;
}

/** HTTP edge limits (G5: answer honestly and fast, never queue without bound). */
export interface EdgeConfig {
  /** How long a produce may take before the edge answers 503 (PRODUCE_TIMEOUT_MS). */
  produceTimeoutMs: number;
  /** Produces awaiting acknowledgement; beyond it the edge answers 503 at once (EDGE_MAX_IN_FLIGHT). */
  maxInFlightProduces: number;
  /** Upper bound of `Prefer: wait=N`, seconds (EDGE_MAX_WAIT_SECONDS). */
  maxWaitSeconds: number;
  /** Requests waiting for an outcome at once; beyond it `Prefer: wait` is not applied (EDGE_MAX_WAITERS). */
  maxWaiters: number;
  /** Largest accepted request body (EDGE_BODY_LIMIT_BYTES). */
  bodyLimitBytes: number;
  /** Event-loop delay beyond which under-pressure sheds load with 503 (EDGE_MAX_EVENT_LOOP_DELAY_MS; 0 = off). */
  maxEventLoopDelayMs: number;
  /** `Retry-After` seconds on 503 answers (EDGE_RETRY_AFTER_SECONDS). */
  retryAfterSeconds: number;
  /** A client must have sent all its headers within this (EDGE_HEADERS_TIMEOUT_MS): slow-header clients are cut off. */
  headersTimeoutMs: number;
  /** …and its whole request, body included, within this (EDGE_REQUEST_TIMEOUT_MS). */
  requestTimeoutMs: number;
  /** A socket with no traffic for this long is closed (EDGE_CONNECTION_TIMEOUT_MS); longer than the longest Prefer: wait. */
  connectionTimeoutMs: number;
  /** Idle time a kept-alive socket waits for its next request (EDGE_KEEP_ALIVE_TIMEOUT_MS). */
  keepAliveTimeoutMs: number;
  /** Requests served on one socket before it is closed (EDGE_MAX_REQUESTS_PER_SOCKET; 0 = no limit). */
  maxRequestsPerSocket: number;
  /** Largest request head, request line and headers together (EDGE_MAX_HEADER_BYTES); beyond it 431. */
  maxHeaderBytes: number;
}

/** Command processor settings (one replica). */
export interface ProcessorConfig {
  /** Stable per replica, e.g. the pod name (PROCESSOR_INSTANCE_ID): the transactional id, so a restart fences its own unfinished transaction. */
  instanceId: string;
  /** Consumer group of all replicas (PROCESSOR_GROUP_ID). */
  groupId: string;
  /** Most records per partition batch (PROCESSOR_MAX_BATCH). */
  maxBatchSize: number;
  /** Not ready when lag stays while no batch completes for this long (PROCESSOR_STALL_TIMEOUT_MS). */
  stallTimeoutMs: number;
  /** Orders cached in memory between batches (PROCESSOR_CACHE_SIZE). */
  cacheSize: number;
  /** Kafka transaction timeout (PROCESSOR_TRANSACTION_TIMEOUT_MS). */
  transactionTimeoutMs: number;
}

export interface Config {
  serviceName: string;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  port: number;
  processorPort: number;
  mongodbUri: string;
  mongodbDatabase: string;
  kafkaBrokers: string[];
  kafkaSecurity: KafkaSecurity;
  schemaRegistryUrl: string;
  topics: Topics;
  commandPartitions: number;
  apiToken?: string;
  edge: EdgeConfig;
  processor: ProcessorConfig;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Which process reads a variable: the HTTP edge, the processor, or both. */
export type ConfigConsumer = 'edge' | 'processor';

export interface ConfigVariable {
  name: string;
  /** The default as a user would type it; a sentence when it is derived; 'required' when there is none. */
  default: string;
  description: string;
  usedBy: readonly ConfigConsumer[];
}

const BOTH = ['edge', 'processor'] as const;

/**
 * Every variable loadConfig reads, for `order-service --help` and the README. A unit test
 * reads loadConfig through a recording proxy and checks this list is complete and that
 * each literal default here is the one loadConfig applies.
 */
export const CONFIG_VARIABLES: readonly ConfigVariable[] = [
  { name: 'KAFKA_BROKERS', default: 'required', description: 'comma-separated host:port list', usedBy: BOTH },
  { name: 'SCHEMA_REGISTRY_URL', default: 'required', description: 'Confluent-compatible schema registry base URL', usedBy: BOTH },
  { name: 'MONGODB_URI', default: 'required', description: 'MongoDB connection string (mongodb:// or mongodb+srv://)', usedBy: BOTH },
  { name: 'MONGODB_DATABASE', default: 'orders_db', description: 'database name', usedBy: BOTH },
  { name: 'SERVICE_NAME', default: 'order-service', description: 'service identifier (client ids, event source)', usedBy: BOTH },
  { name: 'LOG_LEVEL', default: 'info', description: 'pino level: fatal, error, warn, info, debug, trace, silent', usedBy: BOTH },
  { name: 'PORT', default: '8001', description: 'HTTP edge port (API, /docs, /health, /ready, /metrics)', usedBy: ['edge'] },
  { name: 'PROCESSOR_PORT', default: '8002', description: 'processor ops port (/health, /ready, /metrics)', usedBy: ['processor'] },
  { name: 'TOPIC_COMMANDS', default: 'wms.orders.commands', description: 'command topic', usedBy: BOTH },
  { name: 'TOPIC_EVENTS', default: 'wms.orders.events', description: 'event topic (Avro)', usedBy: ['processor'] },
  { name: 'TOPIC_OUTCOMES', default: 'wms.orders.command-outcomes', description: 'command outcome topic', usedBy: BOTH },
  { name: 'TOPIC_DLQ', default: 'wms.orders.commands.dlq', description: 'dead-letter topic', usedBy: ['processor'] },
  { name: 'COMMAND_PARTITIONS', default: '12', description: 'partitions when the service creates its topics', usedBy: BOTH },
  { name: 'KAFKA_SSL', default: 'false', description: 'TLS to the brokers (true/false)', usedBy: BOTH },
  { name: 'KAFKA_SASL_MECHANISM', default: 'off', description: 'plain, scram-sha-256 or scram-sha-512', usedBy: BOTH },
  { name: 'KAFKA_SASL_USERNAME', default: 'required with SASL', description: 'SASL user name', usedBy: BOTH },
  { name: 'KAFKA_SASL_PASSWORD', default: 'required with SASL', description: 'SASL password', usedBy: BOTH },
  { name: 'API_TOKEN', default: 'unset', description: 'bearer token required on mutating routes when set (16+ characters)', usedBy: ['edge'] },
  { name: 'PRODUCE_TIMEOUT_MS', default: '5000', description: 'a produce slower than this answers 503', usedBy: ['edge'] },
  { name: 'EDGE_MAX_IN_FLIGHT', default: '1000', description: 'produces awaiting acknowledgement before 503 at once', usedBy: ['edge'] },
  { name: 'EDGE_MAX_WAIT_SECONDS', default: '30', description: 'upper bound of Prefer: wait=N', usedBy: ['edge'] },
  { name: 'EDGE_MAX_WAITERS', default: '1000', description: 'requests waiting for an outcome at once; beyond it Prefer: wait gets 202 at once (0 = never wait)', usedBy: ['edge'] },
  { name: 'EDGE_BODY_LIMIT_BYTES', default: '262144', description: 'largest accepted request body', usedBy: ['edge'] },
  { name: 'EDGE_MAX_EVENT_LOOP_DELAY_MS', default: '1000', description: 'event-loop delay that sheds load with 503 (0 = off)', usedBy: ['edge'] },
  { name: 'EDGE_RETRY_AFTER_SECONDS', default: '5', description: 'Retry-After on 503 answers', usedBy: ['edge'] },
  { name: 'EDGE_HEADERS_TIMEOUT_MS', default: '10000', description: 'a client must send all its request headers within this, else 408 and closed', usedBy: ['edge'] },
  { name: 'EDGE_REQUEST_TIMEOUT_MS', default: '30000', description: 'a client must send its whole request (headers and body) within this', usedBy: ['edge'] },
  { name: 'EDGE_CONNECTION_TIMEOUT_MS', default: '90000', description: 'a socket idle this long is closed; must exceed EDGE_MAX_WAIT_SECONDS + PRODUCE_TIMEOUT_MS', usedBy: ['edge'] },
  { name: 'EDGE_KEEP_ALIVE_TIMEOUT_MS', default: '65000', description: 'idle keep-alive time between requests (above a load balancer\'s 60 s idle timeout)', usedBy: ['edge'] },
  { name: 'EDGE_MAX_REQUESTS_PER_SOCKET', default: '1000', description: 'requests per connection before it is closed, so load spreads over replicas (0 = no limit)', usedBy: ['edge'] },
  { name: 'EDGE_MAX_HEADER_BYTES', default: '16384', description: 'largest request line + headers; beyond it 431', usedBy: ['edge'] },
  { name: 'PROCESSOR_INSTANCE_ID', default: '<SERVICE_NAME>-processor-<HOSTNAME>', description: 'stable per replica: the transactional id', usedBy: ['processor'] },
  { name: 'HOSTNAME', default: 'local', description: 'part of the default PROCESSOR_INSTANCE_ID', usedBy: ['processor'] },
  { name: 'PROCESSOR_GROUP_ID', default: '<SERVICE_NAME>-processor', description: 'consumer group of all replicas', usedBy: ['processor'] },
  { name: 'PROCESSOR_MAX_BATCH', default: '500', description: 'most records per partition batch', usedBy: ['processor'] },
  { name: 'PROCESSOR_STALL_TIMEOUT_MS', default: '30000', description: 'not ready when lag stays and no batch completes this long', usedBy: ['processor'] },
  { name: 'PROCESSOR_CACHE_SIZE', default: '20000', description: 'orders cached between batches', usedBy: ['processor'] },
  { name: 'PROCESSOR_TRANSACTION_TIMEOUT_MS', default: '15000', description: 'Kafka transaction timeout', usedBy: ['processor'] },
];

type Env = Record<string, string | undefined>;

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
const SASL = ['plain', 'scram-sha-256', 'scram-sha-512'] as const;

export function loadConfig(env: Env = process.env): Config {
  const problems: string[] = [];
  const str = (name: string, fallback?: string): string => {
    const v = env[name]?.trim();
    if (v) return v;
    if (fallback === undefined) problems.push(`${name} is required`);
    return fallback ?? '';
  };
  const int = (name: string, fallback: number, min: number, max: number): number => {
    const raw = env[name]?.trim();
    if (!raw) return fallback;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min || n > max) {
      problems.push(`${name}=${raw} must be an integer between ${min} and ${max}`);
      return fallback;
    }
    return n;
  };
  const oneOf = <T extends string>(name: string, allowed: readonly T[], fallback: T): T => {
    const raw = env[name]?.trim().toLowerCase();
    if (!raw) return fallback;
    if ((allowed as readonly string[]).includes(raw)) return raw as T;
    problems.push(`${name}=${raw} must be one of ${allowed.join(', ')}`);
    return fallback;
  };

  const mongodbUri = str('MONGODB_URI');
  if (mongodbUri && !/^mongodb(\+srv)?:\/\//.test(mongodbUri)) problems.push(`MONGODB_URI must start with mongodb:// or mongodb+srv://`);
  const brokers = str('KAFKA_BROKERS').split(',').map((b) => b.trim()).filter(Boolean);
  for (const b of brokers) if (!/^[^\s:]+:\d{1,5}$/.test(b)) problems.push(`KAFKA_BROKERS entry "${b}" must be host:port`);
  const schemaRegistryUrl = str('SCHEMA_REGISTRY_URL');
  if (schemaRegistryUrl && !/^https?:\/\//.test(schemaRegistryUrl)) problems.push('SCHEMA_REGISTRY_URL must be an http(s) URL');

  const saslMechanism = env.KAFKA_SASL_MECHANISM?.trim() ? oneOf('KAFKA_SASL_MECHANISM', SASL, 'plain') : undefined;
  const kafkaSecurity: KafkaSecurity = { ssl: oneOf('KAFKA_SSL', ['true', 'false'], 'false') === 'true' };
  if (saslMechanism) {
    kafkaSecurity.sasl = { mechanism: saslMechanism, username: str('KAFKA_SASL_USERNAME'), password: str('KAFKA_SASL_PASSWORD') };
  }

  const apiToken = env.API_TOKEN?.trim();
  if (apiToken !== undefined && apiToken !== '' && apiToken.length < 16) problems.push('API_TOKEN must be at least 16 characters');

  const config: Config = {
    serviceName: str('SERVICE_NAME', 'order-service'),
    logLevel: oneOf('LOG_LEVEL', LOG_LEVELS, 'info'),
    port: int('PORT', 8001, 0, 65535),
    processorPort: int('PROCESSOR_PORT', 8002, 0, 65535),
    mongodbUri,
    mongodbDatabase: str('MONGODB_DATABASE', 'orders_db'),
    kafkaBrokers: brokers,
    kafkaSecurity,
    schemaRegistryUrl,
    topics: {
      commands: str('TOPIC_COMMANDS', 'wms.orders.commands'),
      events: str('TOPIC_EVENTS', 'wms.orders.events'),
      outcomes: str('TOPIC_OUTCOMES', 'wms.orders.command-outcomes'),
      deadLetters: str('TOPIC_DLQ', 'wms.orders.commands.dlq'),
    },
    commandPartitions: int('COMMAND_PARTITIONS', 12, 1, 1000),
    edge: {
      produceTimeoutMs: int('PRODUCE_TIMEOUT_MS', 5000, 100, 120_000),
      maxInFlightProduces: int('EDGE_MAX_IN_FLIGHT', 1000, 1, 100_000),
      maxWaitSeconds: int('EDGE_MAX_WAIT_SECONDS', 30, 0, 300),
      maxWaiters: int('EDGE_MAX_WAITERS', 1000, 0, 1_000_000),
      bodyLimitBytes: int('EDGE_BODY_LIMIT_BYTES', 256 * 1024, 1024, 16 * 1024 * 1024),
      maxEventLoopDelayMs: int('EDGE_MAX_EVENT_LOOP_DELAY_MS', 1000, 0, 60_000),
      retryAfterSeconds: int('EDGE_RETRY_AFTER_SECONDS', 5, 1, 3600),
      headersTimeoutMs: int('EDGE_HEADERS_TIMEOUT_MS', 10_000, 500, 120_000),
      requestTimeoutMs: int('EDGE_REQUEST_TIMEOUT_MS', 30_000, 1000, 600_000),
      connectionTimeoutMs: int('EDGE_CONNECTION_TIMEOUT_MS', 90_000, 1000, 3_600_000),
      keepAliveTimeoutMs: int('EDGE_KEEP_ALIVE_TIMEOUT_MS', 65_000, 1000, 3_600_000),
      maxRequestsPerSocket: int('EDGE_MAX_REQUESTS_PER_SOCKET', 1000, 0, 1_000_000),
      maxHeaderBytes: int('EDGE_MAX_HEADER_BYTES', 16_384, 1024, 1_048_576),
    },
    processor: {
      instanceId: str('PROCESSOR_INSTANCE_ID', `${str('SERVICE_NAME', 'order-service')}-processor-${env.HOSTNAME?.trim() || 'local'}`),
      groupId: str('PROCESSOR_GROUP_ID', `${str('SERVICE_NAME', 'order-service')}-processor`),
      maxBatchSize: int('PROCESSOR_MAX_BATCH', 500, 1, 10_000),
      stallTimeoutMs: int('PROCESSOR_STALL_TIMEOUT_MS', 30_000, 1000, 3_600_000),
      cacheSize: int('PROCESSOR_CACHE_SIZE', 20_000, 0, 10_000_000),
      transactionTimeoutMs: int('PROCESSOR_TRANSACTION_TIMEOUT_MS', 15_000, 1000, 900_000),
    },
    ...(apiToken ? { apiToken } : {}),
  };
  const e = config.edge;
  if (e.requestTimeoutMs < e.headersTimeoutMs) problems.push(`EDGE_REQUEST_TIMEOUT_MS=${e.requestTimeoutMs} must be at least EDGE_HEADERS_TIMEOUT_MS=${e.headersTimeoutMs}`);
  // A request waiting for its outcome sends and receives nothing: the idle timeout must outlast it.
  const longestQuiet = e.maxWaitSeconds * 1000 + e.produceTimeoutMs;
  if (e.connectionTimeoutMs <= longestQuiet) {
    problems.push(`EDGE_CONNECTION_TIMEOUT_MS=${e.connectionTimeoutMs} must exceed EDGE_MAX_WAIT_SECONDS + PRODUCE_TIMEOUT_MS (${longestQuiet} ms), or waiting requests are cut off`);
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}
