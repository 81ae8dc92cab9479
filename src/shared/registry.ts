// The one place the schema registry is reached (Confluent-compatible API; here
// Apicurio's /apis/ccompat/v7). Subjects are always passed explicitly. Exposes the two
// ports the codecs need: a registrar (subject + schema → id) and a resolver (id → schema).
import { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import avro from 'avsc';
import type { AvroSchema, SchemaRegistrar, SchemaResolver } from '../schemas/index.js';
import { createLogger } from './logger.js';

/** The library client (tools and tests encode/decode with it) and the base URL our own REST calls use. */
export type Registry = SchemaRegistry & { readonly url: string };

export function createRegistry(url: string): Registry {
  const client = new SchemaRegistry({ host: url, retry: { retries: 2, initialRetryTimeInSecs: 0.1, maxRetryTimeInSecs: 1 } });
  return Object.assign(client, { url: url.replace(/\/$/, '') });
}

/** Transient: the registry is unreachable, timed out, overloaded or failing (5xx) — retry with backoff. */
export class RegistryUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RegistryUnavailableError';
  }
}

/**
 * Not transient: the registry refused this schema for this subject (409 incompatible with
 * the subject's versions, 422 invalid schema or level, 400): retrying the same call gives
 * the same answer.
 */
export class SchemaRegistrationError extends Error {
  readonly code = 'SCHEMA_REGISTRATION_REFUSED';
  constructor(
    readonly subject: string,
    readonly status: number,
    /** The registry's error_code (e.g. 409, 42201), when it gave one. */
    readonly errorCode: number | undefined,
    registryMessage: string,
  ) {
    super(`schema registry refused subject ${subject}: HTTP ${status}${errorCode === undefined ? '' : ` error_code ${errorCode}`}: ${registryMessage}`);
    this.name = 'SchemaRegistrationError';
  }
}

/** The Confluent API's error code for "schema not found" (an unknown id). */
const SCHEMA_NOT_FOUND = 40403;

const isRegistryNotFound = (body: Record<string, unknown> | undefined): boolean =>
  typeof body?.error_code === 'number' && Math.floor(body.error_code / 100) === 404;

/** Statuses that are about this schema or subject; any other failure would fail every registration alike. */
const REFUSALS = new Set([400, 409, 422]);

/**
 * One call of the Confluent-compatible REST API for `subject`: the JSON body of a 2xx, or
 * null for the registry's own 404 to a GET ("no such subject / config", error_code 404xx). A refusal throws
 * SchemaRegistrationError; anything else — no answer, timeout, 5xx, but also 401/403,
 * 408, 429 or a 404 to a write or without a 404xx code (a wrong base URL, a proxy's page) — throws RegistryUnavailableError:
 * none of those is about the schema, and the processor should pause with a /ready
 * reason, not dead-letter every record while the registry or its configuration is broken.
 */
async function callRegistry(url: string, subject: string, method: string, path: string, body: unknown, timeoutMs: number): Promise<Record<string, unknown> | null> {
  let res: Response;
  let text: string;
  try {
    res = await fetch(`${url}${path}`, {
      method,
      headers: { accept: 'application/vnd.schemaregistry.v1+json, application/json', 'content-type': 'application/vnd.schemaregistry.v1+json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs),
    });
    text = await res.text();
  } catch (err) {
    throw new RegistryUnavailableError(`schema registry unreachable (${method} ${path}): ${(err as Error).message}`);
  }
  let parsed: Record<string, unknown> | undefined;
  try {
    parsed = text ? (JSON.parse(text) as Record<string, unknown>) : {};
  } catch {
    parsed = undefined;
  }
  // A registry's own 404 carries a 404xx error code; a proxy's page or a wrong path does not.
  if (res.status === 404 && method === 'GET' && isRegistryNotFound(parsed)) return null;
  if (REFUSALS.has(res.status)) {
    const code = typeof parsed?.error_code === 'number' ? parsed.error_code : undefined;
    throw new SchemaRegistrationError(subject, res.status, code, String(parsed?.message ?? text.slice(0, 200)));
  }
  if (!res.ok || parsed === undefined) {
    throw new RegistryUnavailableError(`schema registry answered ${res.status} to ${method} ${path}: ${String(parsed?.message ?? text.slice(0, 200))}`);
  }
  return parsed;
}

export interface RegistrarOptions {
  /** Where the one line about a subject with another compatibility level goes. */
  logger?: { warn(fields: Record<string, unknown>, message: string): void };
  /** The level we give subjects that have none of their own. */
  compatibility?: string;
  timeoutMs?: number;
}

/**
 * Registers schemas, idempotently and safely if killed at any point. Per subject, once:
 * read its level; if it has none, set ours, then register. Every step is idempotent
 * (re-registering a schema returns its id), so a retry or a restart after a kill just
 * redoes them; the library's register() set the level *after* registering and threw
 * on any other level forever after (issue 11, hole 0).
 *
 * A subject whose own level is another one (FORWARD, FULL, …) was set so by someone:
 * we adopt it — register under it and log a warning — and never overwrite it.
 * NONE counts as "no level": Apicurio reports a subject without a compatibility rule as
 * NONE and implements PUT NONE by deleting the rule, so an explicit NONE cannot be told
 * from an interrupted first registration; we set ours (also on a Confluent registry,
 * where an explicit NONE is thereby raised to our level).
 *
 * Throws RegistryUnavailableError (transient) or SchemaRegistrationError (not).
 */
export function schemaRegistrar(registry: Pick<Registry, 'url'>, options: RegistrarOptions = {}): SchemaRegistrar {
  const url = registry.url.replace(/\/$/, '');
  const ours = (options.compatibility ?? 'BACKWARD').toUpperCase();
  const timeoutMs = options.timeoutMs ?? 5000;
  const logger = options.logger ?? createLogger('schema-registry', 'info');
  const call = (subject: string, method: string, path: string, body?: unknown) => callRegistry(url, subject, method, path, body, timeoutMs);
  /** The subject's own level; undefined when it has none (404: 40401 no such subject, 40408 no subject-level config). */
  const levelOf = async (subject: string): Promise<string | undefined> => {
    const body = await call(subject, 'GET', `/config/${encodeURIComponent(subject)}`);
    const level = body?.compatibilityLevel ?? body?.compatibility;
    return typeof level === 'string' ? level.toUpperCase() : undefined;
  };

  const ensureLevel = async (subject: string): Promise<void> => {
    let level = await levelOf(subject);
    if (level === undefined || level === 'NONE') {
      const set = await call(subject, 'PUT', `/config/${encodeURIComponent(subject)}`, { compatibility: ours }).then(
        () => true,
        (err: unknown) => {
          if (err instanceof SchemaRegistrationError && err.status === 409) return false;
          throw err;
        },
      );
      if (set) {
        if (level === 'NONE') {
          logger.warn({ subject, subjectCompatibility: level, ourCompatibility: ours }, 'schema subject existed without a compatibility level of its own (an interrupted first registration, or another client registered it): set ours');
        }
        return;
      }
      // Apicurio answers 409 "rule already exists" to the loser of two concurrent first
      // PUTs (two replicas starting at once): go by what the winner set.
      level = await levelOf(subject);
      if (level === undefined || level === 'NONE') throw new RegistryUnavailableError(`compatibility level of subject ${subject} changed while setting it`);
    }
    if (level !== ours) {
      logger.warn({ subject, subjectCompatibility: level, ourCompatibility: ours }, 'schema subject has another compatibility level, set by someone else: registering under it, not overwriting it');
    }
  };

  const levels = new Map<string, Promise<void>>();
  const ids = new Map<string, Promise<number>>();
  /** One promise per key while pending or done; a failure is forgotten so the next call retries. */
  const once = <T>(cache: Map<string, Promise<T>>, key: string, run: () => Promise<T>): Promise<T> => {
    let hit = cache.get(key);
    if (!hit) {
      hit = run();
      cache.set(key, hit);
      hit.catch(() => cache.delete(key));
    }
    return hit;
  };

  return {
    register(subject: string, schema: AvroSchema): Promise<number> {
      const text = JSON.stringify(schema);
      return once(ids, `${subject}\u0000${text}`, async () => {
        await once(levels, subject, () => ensureLevel(subject));
        const body = await call(subject, 'POST', `/subjects/${encodeURIComponent(subject)}/versions`, { schema: text });
        const id = body?.id;
        if (typeof id !== 'number') throw new RegistryUnavailableError(`schema registry answered without a schema id for subject ${subject}`);
        return id;
      });
    },
  };
}

/**
 * Writer schemas by id, cached forever (ids are immutable), one request per id even
 * when a whole batch asks at once. Only the registry's own "schema not found" (404 with
 * error_code 40403) from a registry that knows subjects means "unknown id" (a poison
 * record, dead-lettered). Anything else — refused connection, 5xx, timeout, a 404 page of
 * a proxy or a wrong path, a registry that restarted with empty storage — throws
 * RegistryUnavailableError so the processor pauses and retries instead (G4).
 */
export function schemaResolver(url: string, timeoutMs = 5000): SchemaResolver {
  const cache = new Map<number, Promise<avro.Type | undefined>>();
  const base = url.replace(/\/$/, '');
  /** undefined when the 404 really is "no such id"; throws when it is not the registry's answer. */
  const confirmUnknown = async (id: number, res: Response): Promise<undefined> => {
    const body = (await res.json().catch(() => undefined)) as { error_code?: unknown } | undefined;
    if (body?.error_code !== SCHEMA_NOT_FOUND) {
      throw new RegistryUnavailableError(`schema registry answered 404 for schema id ${id} without error_code ${SCHEMA_NOT_FOUND} ("schema not found"): a wrong URL or a proxy's page, not an unknown id`);
    }
    const subjects = await fetch(`${base}/subjects`, { signal: AbortSignal.timeout(timeoutMs) });
    const known = subjects.ok ? ((await subjects.json().catch(() => undefined)) as unknown) : undefined;
    if (!Array.isArray(known) || known.length === 0) {
      throw new RegistryUnavailableError(`schema registry knows no subjects (answered ${subjects.status}): an empty or lost registry, not an unknown schema id ${id}`);
    }
    return undefined;
  };
  const fetchSchema = async (id: number): Promise<avro.Type | undefined> => {
    let body: { schema: string; schemaType?: string };
    try {
      const res = await fetch(`${base}/schemas/ids/${id}`, { signal: AbortSignal.timeout(timeoutMs) });
      if (res.status === 404) return await confirmUnknown(id, res);
      if (!res.ok) throw new RegistryUnavailableError(`schema registry answered ${res.status} for schema id ${id}`);
      body = (await res.json()) as typeof body;
    } catch (err) {
      if (err instanceof RegistryUnavailableError) throw err;
      throw new RegistryUnavailableError(`schema registry unreachable: ${(err as Error).message}`);
    }
    if (body.schemaType && body.schemaType !== 'AVRO') return undefined;
    return avro.Type.forSchema(JSON.parse(body.schema) as avro.Schema);
  };
  return {
    getSchema(id: number): Promise<avro.Type | undefined> {
      let hit = cache.get(id);
      if (!hit) {
        hit = fetchSchema(id);
        cache.set(id, hit);
        // Failures and "unknown" are not cached: the id may exist on the next try.
        hit.then((t) => t === undefined && cache.delete(id), () => cache.delete(id));
      }
      return hit;
    },
  };
}
