// Stack contract: @kafkajs/confluent-schema-registry against the real registry's
// Confluent-compatible API — register, encode, decode, fetch by id, and refusal of a
// BACKWARD-incompatible change.
import { SchemaType } from '@kafkajs/confluent-schema-registry';
import { describe, expect, it } from 'vitest';
import { createRegistry } from '../../src/shared/registry.js';
import { stackEnv, uniqueName } from '../support/stack-env.js';

const v1 = {
  type: 'record',
  name: 'ContractProbe',
  namespace: 'wms.test',
  fields: [
    { name: 'id', type: 'string' },
    { name: 'amountMinor', type: 'long' },
  ],
};

describe('schema registry (stack contract)', () => {
  const env = stackEnv();
  const registry = createRegistry(env.schemaRegistryUrl);

  it('registers an Avro schema, encodes in the Confluent wire format and decodes', async () => {
    const subject = uniqueName('contract-value');
    const { id } = await registry.register({ type: SchemaType.AVRO, schema: JSON.stringify(v1) }, { subject });
    expect(id).toBeGreaterThan(0);

    const bytes = await registry.encode(id, { id: 'ORD-1', amountMinor: 5998 });
    expect(bytes[0]).toBe(0); // magic byte
    expect(bytes.readInt32BE(1)).toBe(id); // 4-byte schema id
    expect(await registry.decode(bytes)).toEqual({ id: 'ORD-1', amountMinor: 5998 });

    const fetched = (await registry.getSchema(id)) as unknown as { name: string };
    expect(fetched.name).toBe('wms.test.ContractProbe');
    expect(await registry.getLatestSchemaId(subject)).toBe(id);
  });

  it('accepts a BACKWARD-compatible change and refuses an incompatible one', async () => {
    const subject = uniqueName('contract-evolution');
    await registry.register({ type: SchemaType.AVRO, schema: JSON.stringify(v1) }, { subject });

    const compatible = { ...v1, fields: [...v1.fields, { name: 'note', type: ['null', 'string'], default: null }] };
    const { id: v2id } = await registry.register({ type: SchemaType.AVRO, schema: JSON.stringify(compatible) }, { subject });
    expect(v2id).toBeGreaterThan(0);

    // A new field without a default cannot read data written with the old schema.
    const incompatible = { ...v1, fields: [...v1.fields, { name: 'warehouse', type: 'string' }] };
    await expect(
      registry.register({ type: SchemaType.AVRO, schema: JSON.stringify(incompatible) }, { subject }),
    ).rejects.toThrow(/incompatib|409/i);
  });
});
