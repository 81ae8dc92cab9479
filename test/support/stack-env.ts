// Endpoints of the real stack for integration tests. `npm test` provides them; a test
// run without them fails loudly instead of skipping.
export interface StackEnv {
  kafkaBrokers: string[];
  schemaRegistryUrl: string;
  mongodbUri: string;
}

export function stackEnv(): StackEnv {
  const missing = ['KAFKA_BROKERS', 'SCHEMA_REGISTRY_URL', 'MONGODB_URI'].filter((v) => !process.env[v]);
  if (missing.length > 0) {
    throw new Error(
      `integration tests need the real stack: ${missing.join(', ')} not set. Run them with \`npm test\` ` +
        '(it starts Kafka, the registry and FerretDB), or set all three endpoints.',
    );
  }
  return {
    kafkaBrokers: process.env.KAFKA_BROKERS!.split(','),
    schemaRegistryUrl: process.env.SCHEMA_REGISTRY_URL!,
    mongodbUri: process.env.MONGODB_URI!,
  };
}

/** A name no other test (or earlier run) uses: tests create their own topics and collections. */
export const uniqueName = (prefix: string): string =>
  `${prefix}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
