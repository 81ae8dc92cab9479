// Regression: decoding a batch of Avro records with a schema id not yet cached sent one
// registry request per record at once (3,000 in the crash test's check); the registry
// slowed down and the reads timed out with a bare TimeoutError. The resolver now asks
// once per id, however many records wait for it.
import { SchemaType } from '@kafkajs/confluent-schema-registry';
import { describe, expect, it } from 'vitest';
import { createRegistry, schemaResolver } from '../../src/shared/registry.js';
import { stackEnv, uniqueName } from '../support/stack-env.js';

describe('schema resolver under a burst of lookups for one id', () => {
  it('sends one request per schema id', async () => {
    const url = stackEnv().schemaRegistryUrl;
    const { id } = await createRegistry(url).register(
      { type: SchemaType.AVRO, schema: JSON.stringify({ type: 'record', name: 'HerdProbe', namespace: 'wms.test', fields: [{ name: 'n', type: 'int' }] }) },
      { subject: uniqueName('herd-value') },
    );
    let requests = 0;
    const realFetch = globalThis.fetch;
    globalThis.fetch = ((...args: Parameters<typeof fetch>) => {
      requests++;
      return realFetch(...args);
    }) as typeof fetch;
    try {
      const resolver = schemaResolver(url);
      const types = await Promise.all(Array.from({ length: 2000 }, () => resolver.getSchema(id)));
      expect(new Set(types).size).toBe(1);
      expect(types[0]?.name).toBe('wms.test.HerdProbe');
      expect(requests).toBe(1);
    } finally {
      globalThis.fetch = realFetch;
    }
  });
});
