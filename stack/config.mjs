// Where the local stack lives and which ports it uses. Plain Node (no dependencies):
// this runs before `npm ci` on a fresh machine.
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = resolve(fileURLToPath(new URL('..', import.meta.url)));

const env = process.env;
const port = (name, fallback) => {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > 65535) throw new Error(`${name}=${raw} is not a TCP port`);
  return n;
};

export const versions = {
  kafka: '4.1.1',
  kafkaLog4j: '2.24.3', // the log4j2 version Kafka 4.1 pulls in; the SLF4J binding must match
  apicurio: '3.3.3',
  ferretdb: 'v1.24.2', // pinned in stack/ferretdb/go.mod
  helm: 'v3.22.0', // built from the Go module proxy; checks deploy/helm (needs Go 1.26)
};

/** Downloads and builds, shared by every checkout on this machine. */
export const cacheDir = resolve(env.ORDER_SERVICE_CACHE || join(homedir(), '.cache', 'order-service'));

/** Runtime state of one stack instance: data, logs, pid files, generated configs. */
export const stateDir = resolve(env.STACK_DIR || join(repoRoot, '.stack'));

export const host = '127.0.0.1';
export const ports = {
  kafka: port('STACK_KAFKA_PORT', 9092),
  kafkaController: port('STACK_KAFKA_CONTROLLER_PORT', 9093),
  registry: port('STACK_REGISTRY_PORT', 8081),
  registryManagement: port('STACK_REGISTRY_MANAGEMENT_PORT', 9001),
  mongo: port('STACK_MONGO_PORT', 27017),
};

export const endpoints = {
  KAFKA_BROKERS: `${host}:${ports.kafka}`,
  SCHEMA_REGISTRY_URL: `http://${host}:${ports.registry}/apis/ccompat/v7`,
  MONGODB_URI: `mongodb://${host}:${ports.mongo}/`,
};

/** `up` starts from empty data unless asked to keep it. */
export const keepData = env.STACK_KEEP_DATA === '1';
