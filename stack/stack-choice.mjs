// Where `npm test` / `npm start` get Kafka, the registry and MongoDB from: endpoints the
// user gives, containers (testcontainers, when a Docker engine is around), or the local
// processes of stack/. Plain Node, no dependencies: it runs before node_modules exist.
import { existsSync } from 'node:fs';
import { request } from 'node:http';
import { homedir } from 'node:os';
import { join } from 'node:path';

export const ENDPOINT_VARS = ['KAFKA_BROKERS', 'SCHEMA_REGISTRY_URL', 'MONGODB_URI'];
export const STACK_CHOICES = ['local', 'containers'];

/** The three endpoints from `env`, null when none is set; an error names the missing ones when only some are. */
export function givenEndpoints(env) {
  const set = ENDPOINT_VARS.filter((v) => env[v]);
  if (set.length === 0) return null;
  if (set.length < ENDPOINT_VARS.length) {
    const missing = ENDPOINT_VARS.filter((v) => !env[v]);
    throw new Error(`set all of ${ENDPOINT_VARS.join(', ')} or none (missing: ${missing.join(', ')})`);
  }
  return Object.fromEntries(ENDPOINT_VARS.map((v) => [v, env[v]]));
}

/**
 * The decision, pure: `docker` is what probeDocker found. Returns
 * `{ kind: 'given' | 'containers' | 'local', reason, endpoints? }`; throws on settings
 * that contradict each other, naming them.
 */
export function chooseStack(env, docker) {
  const forced = env.ORDER_SERVICE_STACK?.trim().toLowerCase() || undefined;
  if (forced !== undefined && !STACK_CHOICES.includes(forced)) {
    throw new Error(`ORDER_SERVICE_STACK=${env.ORDER_SERVICE_STACK} must be one of ${STACK_CHOICES.join(', ')} (or unset)`);
  }
  const endpoints = givenEndpoints(env);
  if (endpoints) {
    if (forced) throw new Error(`ORDER_SERVICE_STACK=${forced} asks for a stack of our own, but ${ENDPOINT_VARS.join(', ')} are set too: unset one or the other`);
    return { kind: 'given', endpoints, reason: `${ENDPOINT_VARS.join(', ')} are set` };
  }
  if (forced === 'local') return { kind: 'local', reason: 'ORDER_SERVICE_STACK=local' };
  if (forced === 'containers') {
    return { kind: 'containers', reason: `ORDER_SERVICE_STACK=containers (${docker.reachable ? `Docker engine at ${docker.where}` : `no engine found by the probe: ${docker.detail}; testcontainers looks further`})` };
  }
  if (docker.reachable) return { kind: 'containers', reason: `a Docker engine answers at ${docker.where}` };
  const preference = Object.keys(env).filter((k) => k.startsWith('TESTCONTAINERS_') && env[k]).sort();
  if (preference.length > 0) {
    return { kind: 'containers', reason: `${preference.join(', ')} set (testcontainers finds the engine; the probe found none: ${docker.detail})` };
  }
  return { kind: 'local', reason: `no Docker engine (${docker.detail})` };
}

/** Where a Docker engine may listen, in the order the Docker CLI and testcontainers look. */
export function dockerCandidates(env) {
  if (env.DOCKER_HOST) return [env.DOCKER_HOST];
  const sockets = ['/var/run/docker.sock'];
  if (env.XDG_RUNTIME_DIR) sockets.push(join(env.XDG_RUNTIME_DIR, 'docker.sock'));
  sockets.push(join(homedir(), '.docker', 'run', 'docker.sock'));
  return sockets.map((s) => `unix://${s}`);
}

/** GET /_ping on one engine address; resolves to an error text, or null when it answered OK. */
function ping(address, timeoutMs) {
  let target;
  if (address.startsWith('unix://')) {
    const socketPath = address.slice('unix://'.length);
    if (!existsSync(socketPath)) return Promise.resolve(`${socketPath} does not exist`);
    target = { socketPath };
  } else if (/^(tcp|http):\/\//.test(address)) {
    const url = new URL(address.replace(/^tcp:/, 'http:'));
    target = { host: url.hostname, port: Number(url.port) || 2375 };
  } else {
    return Promise.resolve(`${address}: only unix:// and tcp:// addresses are probed (TLS engines: set ORDER_SERVICE_STACK=containers)`);
  }
  return new Promise((resolve) => {
    const req = request({ ...target, path: '/_ping', method: 'GET', timeout: timeoutMs }, (res) => {
      res.resume();
      resolve(res.statusCode === 200 ? null : `${address} answered HTTP ${res.statusCode}`);
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', (err) => resolve(`${address}: ${err.message}`));
    req.end();
  });
}

/** `{ reachable, where?, detail }`: the first candidate whose engine answers /_ping. */
export async function probeDocker(env, timeoutMs = 1500) {
  const problems = [];
  for (const address of dockerCandidates(env)) {
    const problem = await ping(address, timeoutMs);
    if (problem === null) return { reachable: true, where: address, detail: 'answers /_ping' };
    problems.push(problem);
  }
  return { reachable: false, detail: problems.join('; ') };
}
