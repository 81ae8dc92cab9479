// Which local process serves each stack endpoint (Kafka, the registry, the MongoDB-wire
// server), found by its listening port (test/support/listening-process.ts, from /proc). Works whoever started the
// servers (the stack's pid files live in the main checkout, not in a worktree); a server
// on another machine is simply not found, and its CPU is not counted.
import { pidListeningOn } from '../test/support/listening-process.js';
import type { StackEndpoints } from './stack-endpoints.js';

/** The port of the first host:port of a broker list or the port of a URL (default by scheme). */
export function endpointPort(endpoint: string): number {
  const first = endpoint.split(',')[0]!.trim();
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(first)) {
    const u = new URL(first.replace(/^mongodb(\+srv)?:/, 'http:'));
    return Number(u.port || (first.startsWith('mongodb') ? 27017 : u.protocol === 'https:' ? 443 : 80));
  }
  return Number(first.split(':').at(-1));
}

/** Pids of the stack's servers on this machine, by name; a server not found here is left out. */
export function stackProcesses(stack: StackEndpoints): Record<string, number[]> {
  const found: Record<string, number[]> = {};
  const servers = { kafka: stack.KAFKA_BROKERS, registry: stack.SCHEMA_REGISTRY_URL, mongodb: stack.MONGODB_URI };
  for (const [name, endpoint] of Object.entries(servers)) {
    try {
      found[name] = [pidListeningOn(endpointPort(endpoint))];
    } catch {
      // not on this machine
    }
  }
  return found;
}
