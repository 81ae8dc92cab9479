// The one place the schema registry is reached (Confluent-compatible API; here
// Apicurio's /apis/ccompat/v7). Subjects are always passed explicitly. Exposes the two
// ports the codecs need: a registrar (subject + schema → id) and a resolver (id → schema).
import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import avro from 'avsc';
import type { AvroSchema, SchemaRegistrar, SchemaResolver } from '../schemas/index.js';

export type Registry = SchemaRegistry;

export function createRegistry(url: string): Registry {
  return new SchemaRegistry({ host: url, retry: { retries: 2, initialRetryTimeInSecs: 0.1, maxRetryTimeInSecs: 1 } });
}

/** Registers subjects with BACKWARD compatibility (set on first registration). */
export function schemaRegistrar(registry: Registry): SchemaRegistrar {
  return {
    async register(subject: string, schema: AvroSchema): Promise<number> {
      const { id } = await registry.register({ type: SchemaType.AVRO, schema: JSON.stringify(schema) }, { subject });
      return id;
    },
  };
}

export class RegistryUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RegistryUnavailableError';
  }
}

/**
 * Writer schemas by id, cached forever (ids are immutable), one request per id even
 * when a whole batch asks at once. Only a 404 means "unknown id" (a poison record,
 * dead-lettered); anything else — refused connection, 5xx, timeout — throws
 * RegistryUnavailableError so the processor pauses and retries instead (G4).
 */
export function schemaResolver(url: string, timeoutMs = 5000): SchemaResolver {
  const cache = new Map<number, Promise<avro.Type | undefined>>();
  const fetchSchema = async (id: number): Promise<avro.Type | undefined> => {
    let body: { schema: string; schemaType?: string };
    try {
      const res = await fetch(`${url.replace(/\/$/, '')}/schemas/ids/${id}`, { signal: AbortSignal.timeout(timeoutMs) });
      if (res.status === 404) return undefined;
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
