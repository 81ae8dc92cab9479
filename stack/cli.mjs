#!/usr/bin/env node
// Entry point of `npm test`, `npm start` and `npm run stack:*`. Node built-ins only:
// on a fresh clone it runs before node_modules exist and installs them itself.
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { importServiceModule } from '../bin/lib/service-modules.mjs';
import { serviceUrls, startEdgeAndProcessor, supervisedConfigOrExit } from '../bin/lib/services.mjs';
import { endpoints, repoRoot, stateDir } from './config.mjs';
import { log } from './log.mjs';
import { chooseStack, givenEndpoints as endpointsIn, probeDocker } from './stack-choice.mjs';
import { step } from './progress.mjs';
import { readyBanner } from './ready-banner.mjs';
import { down, endpointLine, status, up } from './stack.mjs';
import { ensureDebianPackages, librdkafkaBuildPackages, offerDebianPackages, testToolPackages } from './system.mjs';

const ENDPOINT_VARS = Object.keys(endpoints);

/** `npm ci` when node_modules is missing or was installed from another lockfile. */
function ensureNodeModules() {
  const lock = join(repoRoot, 'package-lock.json');
  const marker = join(repoRoot, 'node_modules', '.order-service-lock');
  const want = createHash('sha256').update(readFileSync(lock)).digest('hex');
  if (existsSync(marker) && readFileSync(marker, 'utf8') === want) return;
  ensureDebianPackages(librdkafkaBuildPackages, 'building librdkafka (@confluentinc/kafka-javascript)');
  // The binding cannot download its prebuilt binary here: link librdkafka against system libs.
  const r = step('installing node dependencies (npm ci, builds librdkafka from source)', 'first run only, 2–4 min on 2 cores', () =>
    spawnSync('npm', ['ci', '--no-audit', '--no-fund'], {
      cwd: repoRoot,
      stdio: 'inherit',
      env: { ...process.env, CKJS_LINKING: 'dynamic' },
    }),
  );
  if (r.status !== 0) throw new Error(`npm ci failed (exit ${r.status})`);
  writeFileSync(marker, want);
}

/** Endpoints from the environment, or null when none is given. All or nothing. */
function givenEndpoints() {
  return endpointsIn(process.env);
}

const STACK_KINDS = { given: 'the given endpoints', containers: 'containers (testcontainers)', local: 'local processes (stack/)' };

/** Runs `body(env)` against containers started for it; testcontainers' reaper removes them if we die. */
async function withContainers(body) {
  const { startContainers } = await import('./containers.mjs');
  const containers = await startContainers();
  try {
    return await body({ ...process.env, ...containers.endpoints }, { kind: 'containers', started: [] });
  } finally {
    await containers.stop();
  }
}

/**
 * Runs `body(env, stack)` against either the given endpoints or a local stack, and stops
 * the servers it started afterwards — also on failure and on Ctrl-C. A Ctrl-C while the
 * body runs is the body's to handle (it stops its children and returns); the servers go
 * down after it, so the edge and processor never lose them mid-shutdown.
 */
async function withStack(body) {
  // Given endpoints, else containers when a Docker engine answers, else local processes.
  const choice = chooseStack(process.env, await probeDocker(process.env));
  log(`stack: ${STACK_KINDS[choice.kind]}, because ${choice.reason}`);
  if (choice.kind === 'containers') return withContainers(body);
  const given = choice.kind === 'given' ? choice.endpoints : null;
  if (given) {
    log(`using the given endpoints: ${ENDPOINT_VARS.map((v) => `${v}=${given[v]}`).join(' ')}`);
    return body({ ...process.env, ...given }, { kind: 'given', started: [] });
  }
  const started = [];
  let inBody = false;
  let stopping = false;
  const onSignal = async (signal) => {
    if (inBody || stopping) return;
    stopping = true;
    await down(started);
    process.exit(signal === 'SIGINT' ? 130 : 143);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  await up(started);
  inBody = true;
  try {
    return await body({ ...process.env, ...endpoints, STACK_DIR: stateDir }, { kind: 'local', started });
  } finally {
    await down(started);
  }
}

function runChild(cmd, args, env) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: repoRoot, env, stdio: 'inherit' });
    const forward = (sig) => child.kill(sig);
    process.on('SIGINT', forward);
    process.on('SIGTERM', forward);
    child.on('exit', (code, signal) => {
      process.off('SIGINT', forward);
      process.off('SIGTERM', forward);
      resolve(code ?? (signal ? 1 : 0));
    });
  });
}

const bin = (name) => join(repoRoot, 'node_modules', '.bin', name);

async function test(extraArgs) {
  ensureNodeModules();
  offerDebianPackages(testToolPackages, 'tests that run system tools');
  log('type-checking (tsc --noEmit)…');
  const tsc = spawnSync(bin('tsc'), ['--noEmit'], { cwd: repoRoot, stdio: 'inherit' });
  if (tsc.status !== 0) return tsc.status ?? 1;
  return withStack((env) =>
    runChild(bin('vitest'), ['run', '--reporter=default', '--reporter=json', `--outputFile.json=${join(stateDir, 'test-report.json')}`, ...extraArgs], env),
  );
}

async function start() {
  ensureNodeModules();
  // The service's own configuration module (same defaults and validation as the entries),
  // checked before any server starts: bad configuration fails at once.
  const configModule = await importServiceModule('src/shared/config');
  supervisedConfigOrExit(configModule, { ...process.env, ...(givenEndpoints() ?? endpoints) });
  return withStack(async (env, stack) => {
    const config = supervisedConfigOrExit(configModule, env);
    const logDir = join(stateDir, 'logs');
    const startedAt = Date.now();
    log('starting the edge and one processor…');
    const services = startEdgeAndProcessor(env, config, { logDir });
    if (await services.ready) {
      const serviceLogs = ['edge', 'processor'].map((name) => join(logDir, `${name}.log`));
      process.stdout.write(readyBanner({ config, urls: serviceUrls(config), serviceLogs, stack, seconds: (Date.now() - startedAt) / 1000 }));
    }
    return services.exited;
  });
}

async function main() {
  const [command, ...rest] = process.argv.slice(2);
  switch (command) {
    case 'up':
      await up();
      process.stdout.write(`${endpointLine()}\n`);
      return 0;
    case 'down':
      await down();
      log('stack stopped');
      return 0;
    case 'status': {
      for (const row of await status()) {
        process.stdout.write(`${row.name.padEnd(9)} ${row.state.padEnd(20)} ${row.pid ? `pid ${row.pid}` : ''.padEnd(0)}  ports ${row.ports.join(',')}  ${row.title}\n`);
      }
      process.stdout.write(`${endpointLine()}\n`);
      return 0;
    }
    case 'test':
      return test(rest);
    case 'start':
      return start();
    default:
      process.stderr.write('usage: node stack/cli.mjs up|down|status|test|start\n');
      return 2;
  }
}

main().then(
  (code) => process.exit(code),
  (err) => {
    process.stderr.write(`[stack] error: ${err.message}\n`);
    process.exit(1);
  },
);
