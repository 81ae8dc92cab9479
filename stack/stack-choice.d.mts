// Types of stack/stack-choice.mjs (plain Node so it runs before node_modules exist).
export type Env = Record<string, string | undefined>;
export type Endpoints = Record<'KAFKA_BROKERS' | 'SCHEMA_REGISTRY_URL' | 'MONGODB_URI', string>;
export interface DockerProbe {
  reachable: boolean;
  where?: string;
  detail: string;
}
export type StackChoice =
  | { kind: 'given'; endpoints: Endpoints; reason: string }
  | { kind: 'containers'; reason: string }
  | { kind: 'local'; reason: string };
export const ENDPOINT_VARS: readonly ['KAFKA_BROKERS', 'SCHEMA_REGISTRY_URL', 'MONGODB_URI'];
export const STACK_CHOICES: readonly ['local', 'containers'];
export function givenEndpoints(env: Env): Endpoints | null;
export function chooseStack(env: Env, docker: DockerProbe): StackChoice;
export function dockerCandidates(env: Env): string[];
export function probeDocker(env: Env, timeoutMs?: number): Promise<DockerProbe>;
