// System prerequisites: JDKs, Maven, Go and the Debian dev packages the librdkafka
// build needs. Installed with apt-get where we can, else one clear line per gap.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { log } from './log.mjs';

/** Debian packages @confluentinc/kafka-javascript needs to build librdkafka (CKJS_LINKING=dynamic). */
export const librdkafkaBuildPackages = [
  'libssl-dev', 'libsasl2-dev', 'zlib1g-dev', 'libzstd-dev', 'liblz4-dev', 'libcurl4-openssl-dev',
];

const which = (cmd) => spawnSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' }).stdout.trim() || null;

let aptUpdated = false;
function aptInstall(packages) {
  if (!which('apt-get') || process.getuid?.() !== 0) return false;
  log(`installing Debian packages: ${packages.join(' ')}`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  if (!aptUpdated) {
    spawnSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
    aptUpdated = true;
  }
  const r = spawnSync('apt-get', ['install', '-y', '-qq', ...packages], { stdio: 'inherit', env });
  return r.status === 0;
}

function missingDebianPackages(packages) {
  if (!which('dpkg-query')) return [];
  return packages.filter((p) => {
    const r = spawnSync('dpkg-query', ['-W', '-f=${Status}', p], { encoding: 'utf8' });
    return !r.stdout.includes('install ok installed');
  });
}

/** Fails with one line per missing piece that could not be installed. */
export function ensureDebianPackages(packages, why) {
  const missing = missingDebianPackages(packages);
  if (missing.length === 0) return;
  if (aptInstall(missing) && missingDebianPackages(missing).length === 0) return;
  throw new Error(`missing system packages for ${why}: install them with: apt-get install ${missing.join(' ')}`);
}

/**
 * Debian packages of command-line tools some tests run (offline `docker-compose config`,
 * the kcat example of docs/kafka-commands.md, sqlite3 for the FerretDB _id-index regression test).
 * Optional for the stack: installed when we can, else one line; the test that needs a
 * missing tool then fails naming it.
 */
export const testToolPackages = ['docker-compose', 'kcat', 'sqlite3'];

/** Like ensureDebianPackages, but reports what it could not install instead of failing. */
export function offerDebianPackages(packages, why) {
  const missing = missingDebianPackages(packages);
  if (missing.length === 0) return;
  if (aptInstall(missing) && missingDebianPackages(missing).length === 0) return;
  log(`not installed (needed for ${why}; the tests that use them will fail): apt-get install ${missing.join(' ')}`);
}

function javaMajor(javaHome) {
  const release = join(javaHome, 'release');
  if (existsSync(release)) {
    const m = /JAVA_VERSION="(\d+)/.exec(readFileSync(release, 'utf8'));
    if (m) return Number(m[1]);
  }
  const r = spawnSync(join(javaHome, 'bin', 'java'), ['-version'], { encoding: 'utf8' });
  const m = /version "(\d+)/.exec(r.stderr ?? '');
  return m ? Number(m[1]) : 0;
}

function javaHomes() {
  const homes = new Set();
  if (process.env.JAVA_HOME) homes.add(process.env.JAVA_HOME);
  const onPath = which('java');
  if (onPath) {
    const real = execFileSync('readlink', ['-f', onPath], { encoding: 'utf8' }).trim();
    homes.add(real.replace(/\/bin\/java$/, ''));
  }
  if (existsSync('/usr/lib/jvm')) {
    for (const d of readdirSync('/usr/lib/jvm')) homes.add(join('/usr/lib/jvm', d));
  }
  return [...homes]
    .filter((h) => existsSync(join(h, 'bin', 'java')))
    .map((home) => ({ home, major: javaMajor(home) }));
}

/** A java binary of at least `minMajor`; `envName` lets the user point at one. */
export function findJava(minMajor, envName, purpose) {
  const forced = process.env[envName];
  if (forced) {
    const major = javaMajor(forced);
    if (major < minMajor) throw new Error(`${envName}=${forced} is Java ${major}; ${purpose} needs Java ${minMajor}+`);
    return join(forced, 'bin', 'java');
  }
  const candidates = javaHomes().filter((j) => j.major >= minMajor).sort((a, b) => a.major - b.major);
  if (candidates.length === 0) {
    throw new Error(`${purpose} needs Java ${minMajor}+ and none was found: install a JDK ${minMajor}+ (e.g. Temurin) and set ${envName} to its home`);
  }
  return join(candidates[0].home, 'bin', 'java');
}

export function requireTool(cmd, debianPackage, purpose) {
  if (which(cmd)) return;
  if (debianPackage && aptInstall([debianPackage]) && which(cmd)) return;
  throw new Error(`${purpose} needs '${cmd}' on PATH: install it${debianPackage ? ` (apt-get install ${debianPackage})` : ''}`);
}

/** Go ≥ 1.26 builds our FerretDB module, Helm and the chart validator (Debian's golang-go is too old, so no apt fallback). */
export function requireGo(purpose = 'building FerretDB') {
  const go = which('go');
  if (!go) throw new Error(`${purpose} needs Go 1.26+ on PATH: install it from https://go.dev/dl`);
  return go;
}
