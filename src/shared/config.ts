// Environment → typed configuration. Bad configuration fails at start with one clear
// line per problem (docs/design.md §8); nothing else in the service reads process.env.
import { parseFailpoints } from './failpoints.js';

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
  /** Deadline of each MongoDB call of the edge (EDGE_MONGO_TIMEOUT_MS); past it 503 + Retry-After. */
  mongoTimeoutMs: number;
  /** How long an Idempotency-Key is kept (IDEMPOTENCY_RETENTION_SECONDS): a retry within it gets the first answer. */
  idempotencyRetentionSeconds: number;
}

/**
 * Who may call /api/v1 (docs/security.md). With neither a static token nor a JWKS URL
 * the API is open; with either, every /api/v1 route needs a bearer token.
 */
export interface AuthConfig {
  /** Static bearer token (API_TOKEN): the simple option; it carries both scopes. */
  apiToken?: string;
  /** JWT bearer tokens signed by a key of the JWKS at jwksUrl (AUTH_JWKS_URL and friends). */
  jwt?: { jwksUrl: string; issuer: string; audience: string; algorithms: string[]; clockSkewSeconds: number };
  /** /metrics and /docs need a valid token too (AUTH_PROTECT_OPS); /health and /ready stay open for probes. */
  protectOps: boolean;
}

/** Command processor settings (one replica). */
export interface ProcessorConfig {
  /** Stable per replica, e.g. the pod name (PROCESSOR_INSTANCE_ID): the transactional id, so a restart fences its own unfinished transaction. */
  instanceId: string;
  /** Consumer group of all replicas (PROCESSOR_GROUP_ID). */
  groupId: string;
  /** Most records per partition batch (PROCESSOR_MAX_BATCH). */
  maxBatchSize: number;
  /** Largest record the processor writes to Kafka, key, headers and overhead included (PROCESSOR_MAX_RECORD_BYTES). */
  maxRecordBytes: number;
  /** Not ready when lag stays while no batch completes for this long (PROCESSOR_STALL_TIMEOUT_MS). */
  stallTimeoutMs: number;
  /** Order documents cached between batches, in BSON bytes (PROCESSOR_CACHE_MAX_BYTES; 0 = no cache). */
  cacheMaxBytes: number;
  /** Kafka transaction timeout (PROCESSOR_TRANSACTION_TIMEOUT_MS). */
  transactionTimeoutMs: number;
  /** /health fails when lag stays and no batch commits this long, outside outages (PROCESSOR_LIVENESS_TIMEOUT_MS). */
  livenessTimeoutMs: number;
  /** How long a command's outcome is kept, and so how long a resent commandId is recognised (OUTCOME_RETENTION_SECONDS). */
  outcomeRetentionSeconds: number;
  /**
   * retention.ms of the events topic (TOPIC_EVENTS_RETENTION_MS): what the processor creates it
   * with, and what it takes the topic to have — this Kafka client cannot read topic configs.
   * -1 keeps the whole log, which `order-service rebuild` needs; anything else warns.
   */
  eventsRetentionMs: number;
  /** Test-only fault injection (ORDER_SERVICE_FAILPOINTS, see src/shared/failpoints.ts); empty in production. */
  failpoints: string;
}

/** OpenTelemetry traces (docs/tracing.md): off, with no SDK started, when tracesUrl is unset. */
export interface TracingConfig {
  /** Where spans go, OTLP/HTTP (OTEL_EXPORTER_OTLP_TRACES_ENDPOINT, or OTEL_EXPORTER_OTLP_ENDPOINT + /v1/traces). */
  tracesUrl?: string;
  /** Resource service.name (OTEL_SERVICE_NAME); unset: <SERVICE_NAME>-edge or <SERVICE_NAME>-processor. */
  serviceName?: string;
  /** OTEL_TRACES_SAMPLER, one of the SDK's standard names. */
  sampler: TraceSampler;
  /** OTEL_TRACES_SAMPLER_ARG: the ratio of the *traceidratio samplers. */
  samplerRatio: number;
}

export const TRACE_SAMPLERS = ['always_on', 'always_off', 'traceidratio', 'parentbased_always_on', 'parentbased_always_off', 'parentbased_traceidratio'] as const;
export type TraceSampler = (typeof TRACE_SAMPLERS)[number];

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
  auth: AuthConfig;
  edge: EdgeConfig;
  processor: ProcessorConfig;
  tracing: TracingConfig;
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
 * Every variable loadConfig reads, for `order-service --help` and docs/configuration.md. A unit test
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
  { name: 'TOPIC_EVENTS_RETENTION_MS', default: '-1', description: 'retention.ms the processor creates the event topic with and takes it to have (the client cannot read topic configs): -1 keeps the whole log for `order-service rebuild`; any other value makes the processor warn and /ready say degraded', usedBy: ['processor'] },
  { name: 'TOPIC_DLQ', default: 'wms.orders.commands.dlq', description: 'dead-letter topic', usedBy: ['processor'] },
  { name: 'COMMAND_PARTITIONS', default: '12', description: 'partitions when the service creates its topics', usedBy: BOTH },
  { name: 'KAFKA_SSL', default: 'false', description: 'TLS to the brokers (true/false)', usedBy: BOTH },
  { name: 'KAFKA_SASL_MECHANISM', default: 'off', description: 'plain, scram-sha-256 or scram-sha-512', usedBy: BOTH },
  { name: 'KAFKA_SASL_USERNAME', default: 'required with SASL', description: 'SASL user name', usedBy: BOTH },
  { name: 'KAFKA_SASL_PASSWORD', default: 'required with SASL', description: 'SASL password', usedBy: BOTH },
  { name: 'API_TOKEN', default: 'unset', description: 'static bearer token (16+ characters): when set, every /api/v1 route needs it (both scopes)', usedBy: ['edge'] },
  { name: 'AUTH_JWKS_URL', default: 'unset', description: 'JWKS URL: when set, /api/v1 accepts JWT bearer tokens signed by its keys (scopes orders:read, orders:write)', usedBy: ['edge'] },
  { name: 'AUTH_JWT_ISSUER', default: 'required with AUTH_JWKS_URL', description: 'the iss claim JWTs must carry', usedBy: ['edge'] },
  { name: 'AUTH_JWT_AUDIENCE', default: 'required with AUTH_JWKS_URL', description: 'the aud claim JWTs must carry', usedBy: ['edge'] },
  { name: 'AUTH_JWT_ALGORITHMS', default: 'RS256,PS256,ES256,EdDSA', description: 'JWS algorithms accepted (never none, never HMAC)', usedBy: ['edge'] },
  { name: 'AUTH_CLOCK_SKEW_SECONDS', default: '30', description: 'clock skew tolerated on exp/nbf/iat', usedBy: ['edge'] },
  { name: 'AUTH_PROTECT_OPS', default: 'false', description: 'true: /metrics and /docs need a valid token too (/health and /ready stay open)', usedBy: ['edge'] },
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
  { name: 'EDGE_MONGO_TIMEOUT_MS', default: '3000', description: 'deadline of each MongoDB call of the edge (reads, Idempotency-Key, Prefer: wait look-ups); past it 503 + Retry-After', usedBy: ['edge'] },
  { name: 'PROCESSOR_INSTANCE_ID', default: '<SERVICE_NAME>-processor-<HOSTNAME>', description: 'stable per replica: the transactional id', usedBy: ['processor'] },
  { name: 'HOSTNAME', default: 'local', description: 'part of the default PROCESSOR_INSTANCE_ID', usedBy: ['processor'] },
  { name: 'PROCESSOR_GROUP_ID', default: '<SERVICE_NAME>-processor', description: 'consumer group of all replicas', usedBy: ['processor'] },
  { name: 'PROCESSOR_MAX_BATCH', default: '500', description: 'most records per partition batch', usedBy: ['processor'] },
  { name: 'PROCESSOR_MAX_RECORD_BYTES', default: '1000000', description: "largest record the processor writes (key, value, headers, overhead): an event or outcome over it rejects the command RECORD_TOO_LARGE, a dead letter over it leaves the value out; at most the output topics' max.message.bytes", usedBy: ['processor'] },
  { name: 'PROCESSOR_STALL_TIMEOUT_MS', default: '30000', description: 'not ready when lag stays and no batch completes this long', usedBy: ['processor'] },
  { name: 'PROCESSOR_CACHE_MAX_BYTES', default: '67108864', description: 'order documents cached between batches, in BSON bytes (the heap they take is about 3× that; 0 = no cache)', usedBy: ['processor'] },
  { name: 'PROCESSOR_TRANSACTION_TIMEOUT_MS', default: '15000', description: 'Kafka transaction timeout', usedBy: ['processor'] },
  { name: 'PROCESSOR_LIVENESS_TIMEOUT_MS', default: '300000', description: 'processor /health fails when lag stays and no batch commits this long (not during an outage, which readiness reports)', usedBy: ['processor'] },
  { name: 'OUTCOME_RETENTION_SECONDS', default: '604800', description: 'how long a rejected command\'s outcome is kept: a commandId sent again within it gets its first outcome and changes nothing (an applied command\'s outcome is its history entry, kept with the history); at least IDEMPOTENCY_RETENTION_SECONDS (checked at start)', usedBy: ['edge', 'processor'] },
  { name: 'IDEMPOTENCY_RETENTION_SECONDS', default: '86400', description: 'how long an Idempotency-Key is kept: a retry with it within this time gets the first answer; at most OUTCOME_RETENTION_SECONDS (checked at start)', usedBy: ['edge'] },
  { name: 'OTEL_SDK_DISABLED', default: 'false', description: 'true: no traces even with an endpoint set', usedBy: BOTH },
  { name: 'OTEL_EXPORTER_OTLP_ENDPOINT', default: 'unset', description: 'OTLP/HTTP collector base URL, e.g. http://jaeger:4318 (spans go to /v1/traces); unset: tracing off', usedBy: BOTH },
  { name: 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT', default: 'unset', description: 'full OTLP/HTTP traces URL; wins over OTEL_EXPORTER_OTLP_ENDPOINT', usedBy: BOTH },
  { name: 'OTEL_SERVICE_NAME', default: 'unset', description: 'service.name of the spans; unset: <SERVICE_NAME>-edge or <SERVICE_NAME>-processor', usedBy: BOTH },
  { name: 'OTEL_TRACES_SAMPLER', default: 'parentbased_always_on', description: `sampler: ${TRACE_SAMPLERS.join(', ')}`, usedBy: BOTH },
  { name: 'OTEL_TRACES_SAMPLER_ARG', default: '1', description: 'sampling ratio (0 to 1) of the traceidratio samplers', usedBy: BOTH },
  { name: 'ORDER_SERVICE_FAILPOINTS', default: 'unset', description: 'tests only: named fault injection, e.g. after-mongo-write=exit (see src/shared/failpoints.ts)', usedBy: ['processor'] },
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
  const auth = readAuth(env, apiToken || undefined, problems);

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
      mongoTimeoutMs: int('EDGE_MONGO_TIMEOUT_MS', 3000, 100, 120_000),
      idempotencyRetentionSeconds: int('IDEMPOTENCY_RETENTION_SECONDS', 24 * 3600, 1, 10 * 365 * 24 * 3600),
    },
    processor: {
      instanceId: str('PROCESSOR_INSTANCE_ID', `${str('SERVICE_NAME', 'order-service')}-processor-${env.HOSTNAME?.trim() || 'local'}`),
      groupId: str('PROCESSOR_GROUP_ID', `${str('SERVICE_NAME', 'order-service')}-processor`),
      maxBatchSize: int('PROCESSOR_MAX_BATCH', 500, 1, 10_000),
      maxRecordBytes: int('PROCESSOR_MAX_RECORD_BYTES', 1_000_000, 10_000, 100_000_000),
      stallTimeoutMs: int('PROCESSOR_STALL_TIMEOUT_MS', 30_000, 1000, 3_600_000),
      cacheMaxBytes: int('PROCESSOR_CACHE_MAX_BYTES', 64 * 1024 * 1024, 0, 64 * 1024 * 1024 * 1024),
      transactionTimeoutMs: int('PROCESSOR_TRANSACTION_TIMEOUT_MS', 15_000, 1000, 900_000),
      livenessTimeoutMs: int('PROCESSOR_LIVENESS_TIMEOUT_MS', 300_000, 1000, 86_400_000),
      outcomeRetentionSeconds: int('OUTCOME_RETENTION_SECONDS', 7 * 24 * 3600, 1, 10 * 365 * 24 * 3600),
      eventsRetentionMs: int('TOPIC_EVENTS_RETENTION_MS', -1, -1, Number.MAX_SAFE_INTEGER),
      failpoints: env.ORDER_SERVICE_FAILPOINTS?.trim() ?? '',
    },
    auth,
    tracing: readTracing(env, problems),
  };
  problems.push(...parseFailpoints(config.processor.failpoints).problems);
  const e = config.edge;
  if (e.requestTimeoutMs < e.headersTimeoutMs) problems.push(`EDGE_REQUEST_TIMEOUT_MS=${e.requestTimeoutMs} must be at least EDGE_HEADERS_TIMEOUT_MS=${e.headersTimeoutMs}`);
  // A request waiting for its outcome sends and receives nothing: the idle timeout must outlast it.
  const longestQuiet = e.maxWaitSeconds * 1000 + e.produceTimeoutMs;
  if (e.connectionTimeoutMs <= longestQuiet) {
    problems.push(`EDGE_CONNECTION_TIMEOUT_MS=${e.connectionTimeoutMs} must exceed EDGE_MAX_WAIT_SECONDS + PRODUCE_TIMEOUT_MS (${longestQuiet} ms), or waiting requests are cut off`);
  }
  problems.push(...windowProblems(config));
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}

/**
 * Retention windows that must agree (docs/configuration.md, "Windows"): a combination
 * that breaks a promise fails the start instead of breaking it quietly later.
 */
function windowProblems(config: Config): string[] {
  const problems: string[] = [];
  const keys = config.edge.idempotencyRetentionSeconds;
  const outcomes = config.processor.outcomeRetentionSeconds;
  // A retry with an Idempotency-Key resends the key's commandId; once that commandId's
  // outcome is gone the processor cannot recognise it and would apply it again.
  if (keys > outcomes) problems.push(`IDEMPOTENCY_RETENTION_SECONDS=${keys} must not exceed OUTCOME_RETENTION_SECONDS=${outcomes}: a retry with a key older than the outcome would be applied twice`);
  return problems;
}

function readTracing(env: Env, problems: string[]): TracingConfig {
  const disabledRaw = env.OTEL_SDK_DISABLED?.trim().toLowerCase() || 'false';
  if (disabledRaw !== 'true' && disabledRaw !== 'false') problems.push(`OTEL_SDK_DISABLED=${disabledRaw} must be one of true, false`);
  const tracesEndpoint = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?.trim();
  const baseEndpoint = env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim();
  // As the OTLP exporter spec says: the signal URL is used as given, the base gets /v1/traces.
  const tracesUrl = tracesEndpoint || (baseEndpoint ? `${baseEndpoint.replace(/\/+$/, '')}/v1/traces` : undefined);
  if (tracesUrl && !/^https?:\/\//.test(tracesUrl)) problems.push('OTEL_EXPORTER_OTLP_ENDPOINT / OTEL_EXPORTER_OTLP_TRACES_ENDPOINT must be an http(s) URL (OTLP/HTTP)');
  const samplerRaw = env.OTEL_TRACES_SAMPLER?.trim().toLowerCase() || 'parentbased_always_on';
  const sampler = (TRACE_SAMPLERS as readonly string[]).includes(samplerRaw) ? (samplerRaw as TraceSampler) : 'parentbased_always_on';
  if (sampler !== samplerRaw) problems.push(`OTEL_TRACES_SAMPLER=${samplerRaw} must be one of ${TRACE_SAMPLERS.join(', ')}`);
  const ratioRaw = env.OTEL_TRACES_SAMPLER_ARG?.trim() || '1';
  const samplerRatio = Number(ratioRaw);
  if (!Number.isFinite(samplerRatio) || samplerRatio < 0 || samplerRatio > 1) problems.push(`OTEL_TRACES_SAMPLER_ARG=${ratioRaw} must be a number between 0 and 1`);
  const serviceName = env.OTEL_SERVICE_NAME?.trim() || undefined;
  return {
    ...(disabledRaw !== 'true' && tracesUrl ? { tracesUrl } : {}),
    ...(serviceName ? { serviceName } : {}),
    sampler,
    samplerRatio: Number.isFinite(samplerRatio) ? samplerRatio : 1,
  };
}

const JWT_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA', 'Ed25519'];

function readAuth(env: Env, apiToken: string | undefined, problems: string[]): AuthConfig {
  // Read whether or not a JWKS URL is set, so a stray AUTH_* setting is still checked.
  const jwksUrl = env.AUTH_JWKS_URL?.trim();
  const issuer = env.AUTH_JWT_ISSUER?.trim();
  const audience = env.AUTH_JWT_AUDIENCE?.trim();
  const algorithmsRaw = env.AUTH_JWT_ALGORITHMS?.trim() || 'RS256,PS256,ES256,EdDSA';
  const algorithms = algorithmsRaw.split(',').map((a) => a.trim()).filter(Boolean);
  for (const a of algorithms) if (!JWT_ALGORITHMS.includes(a)) problems.push(`AUTH_JWT_ALGORITHMS entry "${a}" must be one of ${JWT_ALGORITHMS.join(', ')}`);
  const skewRaw = env.AUTH_CLOCK_SKEW_SECONDS?.trim() || '30';
  const clockSkewSeconds = Number(skewRaw);
  if (!Number.isInteger(clockSkewSeconds) || clockSkewSeconds < 0 || clockSkewSeconds > 300) problems.push(`AUTH_CLOCK_SKEW_SECONDS=${skewRaw} must be an integer between 0 and 300`);
  const protectRaw = env.AUTH_PROTECT_OPS?.trim().toLowerCase() || 'false';
  if (protectRaw !== 'true' && protectRaw !== 'false') problems.push(`AUTH_PROTECT_OPS=${protectRaw} must be one of true, false`);
  const auth: AuthConfig = { protectOps: protectRaw === 'true', ...(apiToken ? { apiToken } : {}) };
  if (!jwksUrl) {
    if (issuer || audience) problems.push('AUTH_JWT_ISSUER and AUTH_JWT_AUDIENCE need AUTH_JWKS_URL');
    return auth;
  }
  if (!/^https?:\/\//.test(jwksUrl)) problems.push('AUTH_JWKS_URL must be an http(s) URL');
  if (!issuer) problems.push('AUTH_JWT_ISSUER is required with AUTH_JWKS_URL');
  if (!audience) problems.push('AUTH_JWT_AUDIENCE is required with AUTH_JWKS_URL');
  return { ...auth, jwt: { jwksUrl, issuer: issuer ?? '', audience: audience ?? '', algorithms, clockSkewSeconds } };
}
