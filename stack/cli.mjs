#!/usr/bin/env node
// Entry point of `npm test`, `npm start` and `npm run stack:*`. Node built-ins only:
// on a fresh clone it runs before node_modules exist and installs them itself.
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { endpoints, repoRoot, stateDir } from './config.mjs';
import { log } from './log.mjs';
import { chooseStack, givenEndpoints as endpointsIn, probeDocker } from './stack-choice.mjs';
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
  log('installing node dependencies (npm ci; builds librdkafka from source, about a minute)…');
  // The binding cannot download its prebuilt binary here: link librdkafka against system libs.
  const r = spawnSync('npm', ['ci', '--no-audit', '--no-fund'], {
    cwd: repoRoot,
    stdio: 'inherit',
    env: { ...process.env, CKJS_LINKING: 'dynamic' },
  });
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
    return await body({ ...process.env, ...containers.endpoints }, { local: false, started: [] });
  } finally {
    await containers.stop();
  }
}

/**
 * Runs `body(env)` against either the given endpoints or a local stack, and stops the
 * servers it started afterwards — also on failure and on Ctrl-C.
 */
async function withStack(body) {
  // Given endpoints, else containers when a Docker engine answers, else local processes.
  const choice = chooseStack(process.env, await probeDocker(process.env));
  log(`stack: ${STACK_KINDS[choice.kind]}, because ${choice.reason}`);
  if (choice.kind === 'containers') return withContainers(body);
  const given = choice.kind === 'given' ? choice.endpoints : null;
  if (given) {
    log(`using the given endpoints: ${ENDPOINT_VARS.map((v) => `${v}=${given[v]}`).join(' ')}`);
    return body({ ...process.env, ...given });
  }
  let started = [];
  let stopping = false;
  const stop = async (code) => {
    if (stopping) return;
    stopping = true;
    await down(started);
    process.exit(code);
  };
  process.on('SIGINT', () => stop(130));
  process.on('SIGTERM', () => stop(143));
  started = await up();
  try {
    return await body({ ...process.env, ...endpoints, STACK_DIR: stateDir });
  } finally {
    if (!stopping) {
      stopping = true;
      await down(started);
    }
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
  return withStack(async (env) => {
    process.stdout.write(`${ENDPOINT_VARS.map((v) => `${v}=${env[v]}`).join(' ')}\n`);
    const entries = [['edge', 'src/edge/main.ts'], ['processor', 'src/processor/main.ts']].filter(([, f]) => existsSync(join(repoRoot, f)));
    if (entries.length === 0) {
      log('the edge and the processor are not built yet: only the stack runs. Ctrl-C stops it.');
      await new Promise((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      return 0;
    }
    const codes = await Promise.all(entries.map(([name, file]) => {
      log(`starting ${name} (${file})`);
      return runChild(bin('tsx'), [file], env);
    }));
    return codes.find((c) => c !== 0) ?? 0;
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
