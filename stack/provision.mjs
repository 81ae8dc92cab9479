// Downloads and builds of the stack's servers, cached under cacheDir and shared by
// every checkout. Each artefact is built in a temporary folder and renamed into place
// only when complete, so an interrupted download never poisons the cache.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cacheDir, repoRoot, versions } from './config.mjs';
import { log } from './log.mjs';
import { requireGo, requireTool } from './system.mjs';

const COMPLETE = '.complete';

const hashFiles = (...files) => {
  const h = createHash('sha256');
  for (const f of files) h.update(readFileSync(join(repoRoot, f)));
  return h.digest('hex').slice(0, 10);
};

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8', ...opts });
  if (r.status !== 0) {
    const out = `${r.stdout ?? ''}${r.stderr ?? ''}`.trim().split('\n').slice(-30).join('\n');
    throw new Error(`${cmd} ${args.join(' ')} failed (exit ${r.status ?? r.signal}):\n${out}`);
  }
  return r;
}

/** Returns cacheDir/name, building it with `build(tmpDir)` when missing or incomplete. */
export function cached(name, what, build) {
  const dir = join(cacheDir, name);
  if (existsSync(join(dir, COMPLETE))) return dir;
  mkdirSync(cacheDir, { recursive: true });
  const tmp = `${dir}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  log(`${what}: not cached yet, preparing ${dir} (first run only)…`);
  const started = Date.now();
  try {
    build(tmp);
    writeFileSync(join(tmp, COMPLETE), new Date().toISOString());
    rmSync(dir, { recursive: true, force: true });
    renameSync(tmp, dir);
  } catch (err) {
    rmSync(tmp, { recursive: true, force: true });
    throw err;
  }
  log(`${what}: ready in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  return dir;
}

/** Folder of Kafka's runtime jar closure (broker, tools, log4j2 binding). */
export function kafkaLibs() {
  const dir = cached(`kafka-${versions.kafka}-${hashFiles('stack/kafka/pom.xml')}`, `Kafka ${versions.kafka} jars (Maven Central)`, (tmp) => {
    requireTool('mvn', 'maven', 'downloading Kafka from Maven Central');
    run('mvn', [
      '-B', '-q', '-f', join(repoRoot, 'stack/kafka/pom.xml'),
      'dependency:copy-dependencies', '-DincludeScope=runtime', `-DoutputDirectory=${join(tmp, 'libs')}`,
      `-Dkafka.version=${versions.kafka}`, `-Dlog4j.version=${versions.kafkaLog4j}`,
    ]);
  });
  return join(dir, 'libs');
}

/** Folder holding Apicurio Registry's quarkus-run.jar. */
export function apicurioApp() {
  const dir = cached(`apicurio-${versions.apicurio}`, `Apicurio Registry ${versions.apicurio} (Maven Central)`, (tmp) => {
    requireTool('mvn', 'maven', 'downloading Apicurio Registry from Maven Central');
    requireTool('tar', 'tar', 'unpacking Apicurio Registry');
    const dl = join(tmp, 'download');
    run('mvn', [
      '-B', '-q', 'dependency:copy',
      `-Dartifact=io.apicurio:apicurio-registry-app:${versions.apicurio}:tar.gz:all`,
      `-DoutputDirectory=${dl}`,
    ]);
    mkdirSync(join(tmp, 'app'));
    run('tar', ['-xzf', join(dl, `apicurio-registry-app-${versions.apicurio}-all.tar.gz`), '-C', join(tmp, 'app')]);
    rmSync(dl, { recursive: true, force: true });
    if (!existsSync(join(tmp, 'app', 'quarkus-run.jar'))) throw new Error('Apicurio archive has no quarkus-run.jar');
  });
  return join(dir, 'app');
}

/** Path of our FerretDB binary (stack/ferretdb, FerretDB embedded as a library). */
export function ferretdbBinary() {
  const src = ['stack/ferretdb/go.mod', 'stack/ferretdb/go.sum', 'stack/ferretdb/main.go'];
  const dir = cached(`ferretdb-${versions.ferretdb}-${hashFiles(...src)}`, `FerretDB ${versions.ferretdb} (Go build)`, (tmp) => {
    const go = requireGo();
    run(go, ['build', '-o', join(tmp, 'ferretdb'), '.'], {
      cwd: join(repoRoot, 'stack/ferretdb'),
      env: { ...process.env, CGO_ENABLED: '0', DO_NOT_TRACK: '1' },
    });
  });
  return join(dir, 'ferretdb');
}
