// The variable table behind `order-service --help` must not drift from loadConfig.
import { describe, expect, it } from 'vitest';
import { CONFIG_VARIABLES, loadConfig } from '../../src/shared/config.js';

const required = { MONGODB_URI: 'mongodb://127.0.0.1:27017/', KAFKA_BROKERS: '127.0.0.1:9092', SCHEMA_REGISTRY_URL: 'http://127.0.0.1:8081/apis/ccompat/v7' };
// SASL on, so the credential variables are read too.
const everyBranch = { ...required, KAFKA_SASL_MECHANISM: 'plain', KAFKA_SASL_USERNAME: 'u', KAFKA_SASL_PASSWORD: 'p' };

/** Names loadConfig looks up, recorded through a proxy over the environment. */
function namesRead(env: Record<string, string>): Set<string> {
  const read = new Set<string>();
  loadConfig(new Proxy(env, { get: (target, name) => (typeof name === 'string' && read.add(name), target[name as string]) }));
  return read;
}

const tableNames = CONFIG_VARIABLES.map((v) => v.name);
const byName = new Map(CONFIG_VARIABLES.map((v) => [v.name, v]));
/** `<SERVICE_NAME>-processor-<HOSTNAME>` → `order-service-processor-local`, from the table's own defaults. */
const resolveDefault = (text: string): string => text.replace(/<([A-Z_]+)>/g, (_, name: string) => resolveDefault(byName.get(name)?.default ?? '?'));
const NO_LITERAL_DEFAULT = new Set(['required', 'required with SASL', 'required with AUTH_JWKS_URL', 'off', 'unset']);

describe('CONFIG_VARIABLES (the --help table)', () => {
  it('lists every variable loadConfig reads, and nothing else', () => {
    expect([...namesRead(everyBranch)].sort()).toEqual([...tableNames].sort());
  });

  it('has each name once', () => {
    expect(new Set(tableNames).size).toBe(tableNames.length);
  });

  it.each(CONFIG_VARIABLES.filter((v) => !NO_LITERAL_DEFAULT.has(v.default)).map((v) => [v.name, resolveDefault(v.default)]))(
    'documents the default loadConfig applies: %s=%s',
    (name, value) => {
      expect(loadConfig({ ...required, [name]: value })).toEqual(loadConfig(required));
    },
  );

  it('marks the endpoints as required', () => {
    for (const name of Object.keys(required)) expect(byName.get(name)?.default).toBe('required');
  });
});
