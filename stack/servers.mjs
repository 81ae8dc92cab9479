// The three servers of the local stack: how each is prepared, started, probed and
// stopped. Each runs detached in its own process group; its pid file and log live in
// stateDir.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { endpoints, host, ports, stateDir, versions } from './config.mjs';
import { httpReady, kafkaReady, mongoReady, portInUse } from './probes.mjs';
import { apicurioApp, ferretdbBinary, kafkaLibs } from './provision.mjs';
import { findJava } from './system.mjs';

const dataDir = (name) => join(stateDir, 'data', name);
export const logFile = (name) => join(stateDir, 'logs', `${name}.log`);
const pidFile = (name) => join(stateDir, 'pids', `${name}.pid`);

function kafkaProperties(dir) {
  return [
    'process.roles=broker,controller',
    'node.id=1',
    `controller.quorum.voters=1@${host}:${ports.kafkaController}`,
    `listeners=PLAINTEXT://${host}:${ports.kafka},CONTROLLER://${host}:${ports.kafkaController}`,
    `advertised.listeners=PLAINTEXT://${host}:${ports.kafka}`,
    'controller.listener.names=CONTROLLER',
    'inter.broker.listener.name=PLAINTEXT',
    'listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
    `log.dirs=${dir}`,
    'auto.create.topics.enable=false',
    // One node: every internal topic needs replication factor 1 and min ISR 1, or
    // transactions (and share groups) fail with INVALID_REPLICATION_FACTOR.
    'offsets.topic.replication.factor=1',
    'offsets.topic.num.partitions=6',
    'transaction.state.log.replication.factor=1',
    'transaction.state.log.min.isr=1',
    'transaction.state.log.num.partitions=6',
    'share.coordinator.state.topic.replication.factor=1',
    'share.coordinator.state.topic.min.isr=1',
    'default.replication.factor=1',
    'min.insync.replicas=1',
    'group.initial.rebalance.delay.ms=0',
    'num.partitions=1',
    // Room for the processor's transactional batches.
    'message.max.bytes=2097152',
    '',
  ].join('\n');
}

const log4j2Properties = [
  'status = warn',
  'appender.console.type = Console',
  'appender.console.name = STDOUT',
  'appender.console.layout.type = PatternLayout',
  'appender.console.layout.pattern = [%d] %p %m (%c)%n',
  'rootLogger.level = info',
  'rootLogger.appenderRefs = stdout',
  'rootLogger.appenderRef.stdout.ref = STDOUT',
  'logger.kafka.name = kafka',
  'logger.kafka.level = warn',
  'logger.apache.name = org.apache.kafka',
  'logger.apache.level = warn',
  '',
].join('\n');

/**
 * Kafka cluster ids are 16 random bytes, base64url without padding — never one that starts
 * with '-': the storage tool reads `-t -…` as an option ("--cluster-id expected one
 * argument"), 1 format in 64. Kafka's own Uuid.randomUuid() skips those ids too.
 */
export function kafkaClusterId(random = randomBytes) {
  for (;;) {
    const id = random(16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}

export const servers = [
  {
    name: 'kafka',
    title: `Kafka ${versions.kafka} (KRaft, one node)`,
    ports: [ports.kafka, ports.kafkaController],
    startTimeoutMs: 90_000,
    prepare() {
      const java = findJava(17, 'KAFKA_JAVA_HOME', `Kafka ${versions.kafka}`);
      const libs = kafkaLibs();
      const dir = join(stateDir, 'kafka');
      mkdirSync(dir, { recursive: true });
      const props = join(dir, 'server.properties');
      const log4j = join(dir, 'log4j2.properties');
      writeFileSync(props, kafkaProperties(dataDir('kafka')));
      writeFileSync(log4j, log4j2Properties);
      const jvm = ['-Xms256m', '-Xmx1g', '-XX:+UseG1GC', `-Dlog4j2.configurationFile=${log4j}`, '-Djava.awt.headless=true', '-cp', `${libs}/*`];
      if (!existsSync(join(dataDir('kafka'), 'meta.properties'))) {
        const r = spawnSync(java, [...jvm, 'kafka.tools.StorageTool', 'format', '-t', kafkaClusterId(), '-c', props], { encoding: 'utf8' });
        if (r.status !== 0) throw new Error(`formatting Kafka storage failed:\n${r.stdout}${r.stderr}`);
      }
      return { cmd: java, args: [...jvm, 'kafka.Kafka', props] };
    },
    ready: () => kafkaReady(host, ports.kafka),
  },
  {
    name: 'registry',
    title: `Apicurio Registry ${versions.apicurio} (Confluent-compatible API)`,
    ports: [ports.registry, ports.registryManagement],
    startTimeoutMs: 90_000,
    prepare() {
      // Apicurio 3.3 is compiled for Java 21 (class file 65).
      const java = findJava(21, 'APICURIO_JAVA_HOME', `Apicurio Registry ${versions.apicurio}`);
      const app = apicurioApp();
      return {
        cmd: java,
        cwd: app,
        args: [
          '-Xms128m', '-Xmx512m',
          `-Dquarkus.http.host=${host}`, `-Dquarkus.http.port=${ports.registry}`,
          `-Dquarkus.management.host=${host}`, `-Dquarkus.management.port=${ports.registryManagement}`,
          // In-memory H2 storage: empty at every start, which is what a fresh `up` wants.
          '-jar', join(app, 'quarkus-run.jar'),
        ],
      };
    },
    ready: () =>
      Promise.all([
        httpReady(`http://${host}:${ports.registryManagement}/health/ready`, (t) => t.includes('"UP"')),
        httpReady(`${endpoints.SCHEMA_REGISTRY_URL}/subjects`),
      ]),
  },
  {
    name: 'mongo',
    title: `FerretDB ${versions.ferretdb} (MongoDB wire, SQLite)`,
    ports: [ports.mongo],
    startTimeoutMs: 30_000,
    prepare() {
      const bin = ferretdbBinary();
      mkdirSync(dataDir('mongo'), { recursive: true });
      return { cmd: bin, args: ['-listen', `${host}:${ports.mongo}`, '-data', dataDir('mongo')], env: { DO_NOT_TRACK: '1' } };
    },
    ready: () => mongoReady(host, ports.mongo),
  },
];

export function readPid(name) {
  try {
    const pid = Number(readFileSync(pidFile(name), 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

export function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return err.code === 'EPERM';
  }
}

export function wipeData(name) {
  rmSync(dataDir(name), { recursive: true, force: true });
}

export async function busyPorts(server) {
  const busy = [];
  for (const p of server.ports) if (await portInUse(host, p)) busy.push(p);
  return busy;
}

/** Starts the server detached (own process group) with output appended to its log. */
export function launch(server) {
  const { cmd, args, cwd, env } = server.prepare();
  mkdirSync(join(stateDir, 'logs'), { recursive: true });
  mkdirSync(join(stateDir, 'pids'), { recursive: true });
  const out = openSync(logFile(server.name), 'w');
  const child = spawn(cmd, args, { cwd, env: { ...process.env, ...env }, detached: true, stdio: ['ignore', out, out] });
  closeSync(out);
  child.unref();
  writeFileSync(pidFile(server.name), `${child.pid}\n`);
  return child.pid;
}

export function forgetPid(name) {
  rmSync(pidFile(name), { force: true });
}

export function tail(name, lines = 40) {
  try {
    return readFileSync(logFile(name), 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

/** SIGTERM the process group, then SIGKILL after a grace period. */
export async function terminate(pid, graceMs = 20_000) {
  const signal = (sig) => {
    try {
      process.kill(-pid, sig);
    } catch {
      try { process.kill(pid, sig); } catch { /* already gone */ }
    }
  };
  signal('SIGTERM');
  const deadline = Date.now() + graceMs;
  while (alive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  if (alive(pid)) signal('SIGKILL');
  while (alive(pid)) await new Promise((r) => setTimeout(r, 50));
}
