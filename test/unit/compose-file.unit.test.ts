// docker-compose.yml and the Dockerfile, checked offline (no Docker engine here): Docker's
// own compose parser (Debian's docker-compose, installed by `npm test` when root) plus
// structural rules the parser does not know about — env names the service really reads,
// healthchecks everywhere, start order on health, distinct processor instance ids.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { CONFIG_VARIABLES, loadConfig, type ConfigConsumer } from '../../src/shared/config.js';

const root = join(import.meta.dirname, '..', '..');
const composeText = readFileSync(join(root, 'docker-compose.yml'), 'utf8');
const dockerfile = readFileSync(join(root, 'Dockerfile'), 'utf8');

interface Service {
  image?: string;
  build?: unknown;
  command?: string[];
  environment?: Record<string, string>;
  depends_on?: Record<string, { condition?: string }>;
  healthcheck?: { test?: string[] };
}
const compose = parse(composeText, { merge: true }) as { services: Record<string, Service> };
const services = compose.services;
const INFRA = ['kafka', 'registry', 'mongo'];

/** Our own services, by the entry point they run (dist/src/<role>/main.js). */
const role = (s: Service): ConfigConsumer | undefined =>
  (/^dist\/src\/(edge|processor)\/main\.js$/.exec(s.command?.at(-1) ?? '')?.[1] as ConfigConsumer | undefined);
const ours = Object.entries(services).filter(([, s]) => role(s) !== undefined);
const processors = ours.filter(([, s]) => role(s) === 'processor');

/** Debian's docker-compose (v1), else the Docker CLI's compose plugin; both validate without an engine. */
const COMPOSE_COMMANDS: [string, string[]][] = [['docker-compose', []], ['docker', ['compose']]];

function dockerCompose(file: string): { status: number | null; output: string } {
  for (const [cmd, pre] of COMPOSE_COMMANDS) {
    const r = spawnSync(cmd, [...pre, '-f', file, 'config', '-q'], { encoding: 'utf8', cwd: root });
    const missing = r.error !== undefined || (cmd === 'docker' && /unknown command|is not a docker command/.test(r.stderr));
    if (!missing) return { status: r.status, output: `${r.stdout}${r.stderr}` };
  }
  throw new Error('neither docker-compose nor `docker compose` is installed: `npm test` installs docker-compose as root, else run apt-get install docker-compose');
}

describe('docker-compose.yml', () => {
  it("passes Docker Compose's own validation (docker-compose config -q, offline)", () => {
    const r = dockerCompose(join(root, 'docker-compose.yml'));
    expect(r.output).toBe('');
    expect(r.status).toBe(0);
  });

  it('is rejected by that validation when a start condition is misspelled (the check can fail)', () => {
    const broken = composeText.replace('condition: service_healthy', 'condition: service_healty');
    expect(broken).not.toBe(composeText);
    const file = join(mkdtempSync(join(tmpdir(), 'compose-')), 'docker-compose.yml');
    writeFileSync(file, broken);
    expect(dockerCompose(file).status).not.toBe(0);
  });

  it('runs the infrastructure, one edge and two processor replicas', () => {
    for (const name of INFRA) expect(services, name).toHaveProperty(name);
    expect(ours.filter(([, s]) => role(s) === 'edge')).toHaveLength(1);
    expect(processors).toHaveLength(2);
  });

  it.each(Object.keys(services))('%s has a healthcheck', (name) => {
    expect(services[name]!.healthcheck?.test?.length).toBeGreaterThan(0);
  });

  it.each(ours.map(([name]) => name))('%s starts only once Kafka, the registry and MongoDB are healthy', (name) => {
    const deps = services[name]!.depends_on ?? {};
    expect(Object.keys(deps).sort()).toEqual([...INFRA].sort());
    for (const dep of Object.values(deps)) expect(dep.condition).toBe('service_healthy');
  });

  it.each(ours.map(([name]) => name))('%s sets only variables its process reads, and they load without a config error', (name) => {
    const service = services[name]!;
    const env = service.environment ?? {};
    const readBy = new Set(CONFIG_VARIABLES.filter((v) => v.usedBy.includes(role(service)!)).map((v) => v.name));
    expect(Object.keys(env).filter((k) => !readBy.has(k))).toEqual([]);
    const config = loadConfig(env);
    expect(config.schemaRegistryUrl).toMatch(/^http:\/\/registry:8080\/apis\/ccompat\/v7$/);
    expect(config.kafkaBrokers).toEqual(['kafka:9092']);
  });

  it('gives each processor replica its own PROCESSOR_INSTANCE_ID (the transactional id) in one consumer group', () => {
    const ids = processors.map(([, s]) => s.environment?.PROCESSOR_INSTANCE_ID);
    expect(ids.every(Boolean)).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
    expect(new Set(processors.map(([, s]) => loadConfig(s.environment ?? {}).processor.groupId)).size).toBe(1);
  });

  it('runs entry points that exist, from the image built by the Dockerfile', () => {
    for (const [name, s] of ours) {
      expect(existsSync(join(root, 'src', role(s)!, 'main.ts')), name).toBe(true);
      expect(s.build, name).toBe('.');
    }
  });

  it("has Prometheus scrape every edge and processor on the port it listens on", () => {
    const prometheus = parse(readFileSync(join(root, 'ops/prometheus/prometheus.yml'), 'utf8')) as { scrape_configs: { static_configs: { targets: string[] }[] }[] };
    const targets = prometheus.scrape_configs.flatMap((c) => c.static_configs.flatMap((s) => s.targets)).sort();
    const expected = ours.map(([name, s]) => {
      const config = loadConfig(s.environment ?? {});
      return `${name}:${role(s) === 'edge' ? config.port : config.processorPort}`;
    });
    expect(targets).toEqual(expected.sort());
  });

  it('configures the one-node Kafka for transactions (RF 1 / min ISR 1 on internal topics)', () => {
    const env = services.kafka!.environment ?? {};
    expect(env).toMatchObject({
      KAFKA_PROCESS_ROLES: 'broker,controller',
      KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR: '1',
      KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR: '1',
      KAFKA_TRANSACTION_STATE_LOG_MIN_ISR: '1',
    });
  });

  it('runs MongoDB as a replica set the healthcheck initiates, and the service connects to it as one', () => {
    expect(services.mongo!.command).toEqual(expect.arrayContaining(['--replSet', 'rs0']));
    expect(services.mongo!.healthcheck!.test!.join(' ')).toContain("rs.initiate({ _id: 'rs0'");
    for (const [, s] of ours) expect(s.environment?.MONGODB_URI).toContain('replicaSet=rs0');
  });
});

describe('Dockerfile', () => {
  const stages = [...dockerfile.matchAll(/^FROM\s+(\S+)(?:\s+AS\s+(\S+))?/gim)].map((m) => ({ image: m[1], name: m[2] }));
  const runtime = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));

  it('is multi-stage: a build stage, then a slim runtime stage', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    expect(stages.at(-1)!.image).toBe('node:20-bookworm-slim');
    expect(runtime).toMatch(/COPY --from=build /);
  });

  it('builds librdkafka against Debian libraries and drops dev dependencies', () => {
    expect(dockerfile).toMatch(/CKJS_LINKING=dynamic npm ci/);
    for (const pkg of ['libssl-dev', 'libsasl2-dev', 'zlib1g-dev', 'libzstd-dev', 'liblz4-dev', 'libcurl4-openssl-dev']) expect(dockerfile).toContain(pkg);
    expect(dockerfile).toMatch(/--omit=dev/);
    for (const lib of ['libssl3', 'libsasl2-2', 'zlib1g', 'libzstd1', 'liblz4-1', 'libcurl4']) expect(runtime).toMatch(new RegExp(`\\s${lib}\\s`));
    expect(runtime).not.toMatch(/-dev\b/);
  });

  it('runs as a non-root user, with a healthcheck, the compiled edge by default', () => {
    const users = [...runtime.matchAll(/^USER\s+(\S+)/gm)].map((m) => m[1]);
    expect(users.at(-1)).toBeDefined();
    expect(users.at(-1)).not.toMatch(/^(root|0)(:|$)/);
    expect(runtime).toMatch(/^HEALTHCHECK\s/m);
    expect(runtime).toMatch(/^CMD \["node", "dist\/src\/edge\/main\.js"\]/m);
    expect(runtime).toContain('COPY ops/docker/healthcheck.mjs');
    expect(existsSync(join(root, 'ops/docker/healthcheck.mjs'))).toBe(true);
  });

  it('keeps node_modules and local state out of the build context', () => {
    const ignored = readFileSync(join(root, '.dockerignore'), 'utf8').split('\n').map((l) => l.trim());
    for (const entry of ['node_modules', 'dist', '.git', '.stack']) expect(ignored).toContain(entry);
  });
});
