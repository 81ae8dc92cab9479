// The one place the schema registry client is made (Confluent-compatible API; here
// Apicurio's /apis/ccompat/v7). Subjects are always passed explicitly.
import { SchemaRegistry } from '@kafkajs/confluent-schema-registry';

export type Registry = SchemaRegistry;

export function createRegistry(url: string): Registry {
  return new SchemaRegistry({ host: url, retry: { retries: 2, initialRetryTimeInSecs: 0.1, maxRetryTimeInSecs: 1 } });
}
