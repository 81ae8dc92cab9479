// Where the test stack comes from (stack/stack-choice.mjs): given endpoints, containers
// or local processes — every combination of settings, and the Docker probe itself
// against small HTTP servers on a unix socket standing in for an engine's /_ping.
import { mkdtempSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { chooseStack, dockerCandidates, givenEndpoints, probeDocker, type DockerProbe, type Env } from '../../stack/stack-choice.mjs';
import { freePort } from '../support/ports.js';

const ENDPOINTS = { KAFKA_BROKERS: 'k:9092', SCHEMA_REGISTRY_URL: 'http://r:8080/apis/ccompat/v7', MONGODB_URI: 'mongodb://m:27017/' };
const engine: DockerProbe = { reachable: true, where: 'unix:///var/run/docker.sock', detail: 'answers /_ping' };
const noEngine: DockerProbe = { reachable: false, detail: '/var/run/docker.sock does not exist' };

describe('chooseStack', () => {
  describe('all three endpoints set', () => {
    it.each([engine, noEngine])('uses them, engine or not (%#)', (docker) => {
      expect(chooseStack({ ...ENDPOINTS, TESTCONTAINERS_RYUK_DISABLED: 'true' }, docker)).toEqual({
        kind: 'given',
        endpoints: ENDPOINTS,
        reason: 'KAFKA_BROKERS, SCHEMA_REGISTRY_URL, MONGODB_URI are set',
      });
    });

    it.each(['local', 'containers'])('refuses ORDER_SERVICE_STACK=%s next to them, naming both', (forced) => {
      expect(() => chooseStack({ ...ENDPOINTS, ORDER_SERVICE_STACK: forced }, engine)).toThrow(
        `ORDER_SERVICE_STACK=${forced} asks for a stack of our own, but KAFKA_BROKERS, SCHEMA_REGISTRY_URL, MONGODB_URI are set too`,
      );
    });
  });

  describe('only some endpoints set', () => {
    const names = Object.keys(ENDPOINTS) as (keyof typeof ENDPOINTS)[];
    const partial = [
      ...names.map((n) => [n]),
      ...names.flatMap((a, i) => names.slice(i + 1).map((b) => [a, b])),
    ];
    it.each(partial.map((set) => [set.join('+'), set]))('fails naming the missing ones: %s set', (_label, set) => {
      const env = Object.fromEntries((set as string[]).map((n) => [n, ENDPOINTS[n as keyof typeof ENDPOINTS]]));
      const missing = names.filter((n) => !(set as string[]).includes(n));
      expect(() => chooseStack(env, engine)).toThrow(`(missing: ${missing.join(', ')})`);
      expect(() => chooseStack({ ...env, ORDER_SERVICE_STACK: 'local' }, noEngine)).toThrow(`(missing: ${missing.join(', ')})`);
    });

    it('counts an empty variable as unset', () => {
      expect(() => givenEndpoints({ ...ENDPOINTS, MONGODB_URI: '' })).toThrow('(missing: MONGODB_URI)');
      expect(givenEndpoints({ KAFKA_BROKERS: '', SCHEMA_REGISTRY_URL: '', MONGODB_URI: '' })).toBeNull();
    });
  });

  describe('no endpoints set', () => {
    const cases: [string, Env, DockerProbe, 'containers' | 'local', string][] = [
      ['engine answers', {}, engine, 'containers', 'a Docker engine answers at unix:///var/run/docker.sock'],
      ['no engine', {}, noEngine, 'local', 'no Docker engine (/var/run/docker.sock does not exist)'],
      ['forced local, engine answers', { ORDER_SERVICE_STACK: 'local' }, engine, 'local', 'ORDER_SERVICE_STACK=local'],
      ['forced local, no engine', { ORDER_SERVICE_STACK: ' Local ' }, noEngine, 'local', 'ORDER_SERVICE_STACK=local'],
      ['forced containers, engine answers', { ORDER_SERVICE_STACK: 'containers' }, engine, 'containers', 'ORDER_SERVICE_STACK=containers (Docker engine at unix:///var/run/docker.sock)'],
      ['forced containers, no engine', { ORDER_SERVICE_STACK: 'containers' }, noEngine, 'containers', 'no engine found by the probe: /var/run/docker.sock does not exist; testcontainers looks further'],
      ['TESTCONTAINERS_* set, no engine', { TESTCONTAINERS_HOST_OVERRIDE: 'dockerhost', TESTCONTAINERS_RYUK_DISABLED: 'true' }, noEngine, 'containers', 'TESTCONTAINERS_HOST_OVERRIDE, TESTCONTAINERS_RYUK_DISABLED set'],
      ['TESTCONTAINERS_* set but empty, no engine', { TESTCONTAINERS_HOST_OVERRIDE: '' }, noEngine, 'local', 'no Docker engine'],
      ['TESTCONTAINERS_* set, forced local', { TESTCONTAINERS_RYUK_DISABLED: 'true', ORDER_SERVICE_STACK: 'local' }, engine, 'local', 'ORDER_SERVICE_STACK=local'],
      ['empty ORDER_SERVICE_STACK counts as unset', { ORDER_SERVICE_STACK: '' }, noEngine, 'local', 'no Docker engine'],
    ];
    it.each(cases)('%s', (_label, env, docker, kind, reason) => {
      const choice = chooseStack(env, docker);
      expect(choice.kind).toBe(kind);
      expect(choice.reason).toContain(reason);
    });

    it('refuses an unknown ORDER_SERVICE_STACK', () => {
      expect(() => chooseStack({ ORDER_SERVICE_STACK: 'docker' }, engine)).toThrow('ORDER_SERVICE_STACK=docker must be one of local, containers (or unset)');
    });
  });
});

describe('probeDocker', () => {
  const dir = mkdtempSync(join(tmpdir(), 'docker-probe-'));
  const servers: Server[] = [];
  const engineAt = (socketPath: string, status: number) =>
    new Promise<void>((resolve) => {
      const server = createServer((req, res) => {
        res.statusCode = req.url === '/_ping' ? status : 404;
        res.end('OK');
      });
      servers.push(server);
      server.listen(socketPath, resolve);
    });
  afterAll(() => servers.forEach((s) => s.close()));

  it('looks only at DOCKER_HOST when it is set, else at the usual sockets', () => {
    expect(dockerCandidates({ DOCKER_HOST: 'tcp://10.0.0.1:2375' })).toEqual(['tcp://10.0.0.1:2375']);
    expect(dockerCandidates({ XDG_RUNTIME_DIR: '/run/user/1000' }).slice(0, 2)).toEqual(['unix:///var/run/docker.sock', 'unix:///run/user/1000/docker.sock']);
  });

  it('finds an engine that answers /_ping on a unix socket', async () => {
    const socket = join(dir, 'ok.sock');
    await engineAt(socket, 200);
    expect(await probeDocker({ DOCKER_HOST: `unix://${socket}` })).toEqual({ reachable: true, where: `unix://${socket}`, detail: 'answers /_ping' });
  });

  it('reports a socket that answers with an error status', async () => {
    const socket = join(dir, 'broken.sock');
    await engineAt(socket, 500);
    expect(await probeDocker({ DOCKER_HOST: `unix://${socket}` })).toEqual({ reachable: false, detail: `unix://${socket} answered HTTP 500` });
  });

  it('reports a missing socket and a closed TCP port', async () => {
    expect((await probeDocker({ DOCKER_HOST: `unix://${join(dir, 'none.sock')}` })).detail).toBe(`${join(dir, 'none.sock')} does not exist`);
    const port = await freePort();
    const closed = await probeDocker({ DOCKER_HOST: `tcp://127.0.0.1:${port}` });
    expect(closed.reachable).toBe(false);
    expect(closed.detail).toMatch(new RegExp(`^tcp://127\\.0\\.0\\.1:${port}: .*ECONNREFUSED`));
  });

  it('says which addresses it cannot probe', async () => {
    expect((await probeDocker({ DOCKER_HOST: 'ssh://me@host' })).detail).toContain('only unix:// and tcp:// addresses are probed');
  });
});
