// Test double of the registry ports for unit tests only (integration tests use the real
// registry). Same schema under the same subject → same id, like a real registry.
import avro from 'avsc';
import type { AvroSchema, SchemaRegistrar, SchemaResolver } from '../../../src/schemas/index.js';

export class InMemoryRegistry implements SchemaResolver, SchemaRegistrar {
  private readonly ids = new Map<string, number>();
  private readonly types = new Map<number, avro.Type>();
  readonly subjects = new Map<string, number[]>();
  private nextId = 1;

  async register(subject: string, schema: AvroSchema): Promise<number> {
    const id = this.idFor(schema);
    const versions = this.subjects.get(subject) ?? [];
    if (!versions.includes(id)) this.subjects.set(subject, [...versions, id]);
    return id;
  }

  async getSchema(id: number): Promise<avro.Type | undefined> {
    return this.types.get(id);
  }

  /** Registers any writer schema (e.g. an older or foreign version) and returns its id. */
  idFor(schema: unknown): number {
    const key = JSON.stringify(schema);
    let id = this.ids.get(key);
    if (id === undefined) {
      id = this.nextId++;
      this.ids.set(key, id);
      this.types.set(id, avro.Type.forSchema(schema as never));
    }
    return id;
  }
}
