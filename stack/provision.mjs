// Downloads and builds of the stack's servers, cached under cacheDir and shared by
// every checkout. Each artefact is built in a temporary folder and renamed into place
// only when complete, so an interrupted download never poisons the cache.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cacheDir, repoRoot, versions } from './config.mjs';
import { ferretdbAdditions, ferretdbPatches } from './ferretdb/patches.mjs';
import { step } from './progress.mjs';
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

/**
 * Returns cacheDir/name, building it with `build(tmpDir)` when missing or incomplete. The
 * build is announced, gets a heartbeat while it runs and its time afterwards.
 */
export function cached(name, what, build) {
  const dir = join(cacheDir, name);
  if (existsSync(join(dir, COMPLETE))) return dir;
  mkdirSync(cacheDir, { recursive: true });
  const tmp = `${dir}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  try {
    step(`${what} into ${dir}`, 'first run only', () => build(tmp));
    writeFileSync(join(tmp, COMPLETE), new Date().toISOString());
    rmSync(dir, { recursive: true, force: true });
    renameSync(tmp, dir);
  } catch (err) {
    rmSync(tmp, { recursive: true, force: true });
    throw err;
  }
  return dir;
}

/** Folder of Kafka's runtime jar closure (broker, tools, log4j2 binding). */
export function kafkaLibs() {
  const dir = cached(`kafka-${versions.kafka}-${hashFiles('stack/kafka/pom.xml')}`, `downloading Kafka ${versions.kafka} jars from Maven Central`, (tmp) => {
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
  const dir = cached(`apicurio-${versions.apicurio}`, `downloading Apicurio Registry ${versions.apicurio} from Maven Central`, (tmp) => {
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

/**
 * Path of our FerretDB binary (stack/ferretdb, FerretDB embedded as a library). The
 * module is vendored into the temp folder so stack/ferretdb/patches.mjs can fix it
 * (Go refuses overlays of module-cache files); the vendor tree is dropped afterwards.
 */
export function ferretdbBinary() {
  const additions = ferretdbAdditions.map((a) => `stack/ferretdb/_add/${a.file}`);
  const src = ['stack/ferretdb/go.mod', 'stack/ferretdb/go.sum', 'stack/ferretdb/main.go', 'stack/ferretdb/patches.mjs', ...additions];
  const dir = cached(`ferretdb-${versions.ferretdb}-${hashFiles(...src)}`, `FerretDB ${versions.ferretdb} (Go build)`, (tmp) => {
    const go = requireGo();
    const env = { ...process.env, CGO_ENABLED: '0', DO_NOT_TRACK: '1' };
    const work = join(tmp, 'src');
    mkdirSync(work);
    for (const f of ['go.mod', 'go.sum', 'main.go']) copyFileSync(join(repoRoot, 'stack/ferretdb', f), join(work, f));
    run(go, ['mod', 'vendor'], { cwd: work, env });
    for (const patch of ferretdbPatches) {
      const file = join(work, patch.file);
      const text = readFileSync(file, 'utf8');
      // Exactly once: a second occurrence would leave it unclear what the patch changed.
      if (text.split(patch.find).length !== 2) throw new Error(`FerretDB patch (${patch.why}) no longer applies: ${patch.file} does not contain exactly once ${patch.find}`);
      writeFileSync(file, text.replace(patch.find, patch.replace));
    }
    for (const addition of ferretdbAdditions) {
      const file = join(work, 'vendor/github.com/FerretDB/FerretDB', addition.file);
      // A file upstream now has would be silently replaced.
      if (existsSync(file)) throw new Error(`FerretDB addition (${addition.why}) collides with upstream's ${addition.file}`);
      copyFileSync(join(repoRoot, 'stack/ferretdb/_add', addition.file), file);
    }
    run(go, ['build', '-mod=vendor', '-o', join(tmp, 'ferretdb'), '.'], { cwd: work, env });
    rmSync(work, { recursive: true, force: true });
  });
  return join(dir, 'ferretdb');
}

/**
 * Path of a `helm` binary (versions.helm), built from the Go module proxy: no download
 * site is reachable here, and `go install` checks every module against the checksum database.
 */
export function helmBinary() {
  const dir = cached(`helm-${versions.helm}`, `Helm ${versions.helm} (go install)`, (tmp) => {
    const go = requireGo('building Helm');
    const env = { ...process.env, CGO_ENABLED: '0', GOBIN: tmp, GOFLAGS: `${process.env.GOFLAGS ?? ''} -trimpath`.trim() };
    run(go, ['install', `helm.sh/helm/v3/cmd/helm@${versions.helm}`], { cwd: tmp, env });
  });
  return join(dir, 'helm');
}

/**
 * Path of deploy/helm/validate built: decodes rendered manifests strictly into the
 * Kubernetes, KEDA and Prometheus-operator Go types. Rebuilt when its sources change.
 */
export function chartValidator() {
  const src = ['deploy/helm/validate/go.mod', 'deploy/helm/validate/go.sum', 'deploy/helm/validate/main.go'];
  const dir = cached(`helm-validate-${hashFiles(...src)}`, 'the chart validator (Go build)', (tmp) => {
    const go = requireGo('building the chart validator');
    const env = { ...process.env, CGO_ENABLED: '0' };
    run(go, ['build', '-mod=readonly', '-trimpath', '-o', join(tmp, 'helm-validate'), '.'], { cwd: join(repoRoot, 'deploy/helm/validate'), env });
  });
  return join(dir, 'helm-validate');
}
