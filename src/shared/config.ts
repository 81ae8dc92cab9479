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
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

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
    ...(apiToken ? { apiToken } : {}),
  };
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}
