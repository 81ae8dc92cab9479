// up / down / status of the whole local stack.
import { endpoints, keepData, stateDir } from './config.mjs';
import { log } from './log.mjs';
import { alive, busyPorts, forgetPid, launch, logFile, readPid, servers, tail, terminate, wipeData } from './servers.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function waitReady(server, pid) {
  const deadline = Date.now() + server.startTimeoutMs;
  let lastError;
  while (Date.now() < deadline) {
    if (!alive(pid)) throw new Error(`${server.title} exited during start-up`);
    try {
      await server.ready();
      return;
    } catch (err) {
      lastError = err;
    }
    await sleep(250);
  }
  throw new Error(`${server.title} not ready after ${server.startTimeoutMs / 1000} s (${lastError?.message})`);
}

export const endpointLine = () => Object.entries(endpoints).map(([k, v]) => `${k}=${v}`).join(' ');

/**
 * Starts every server that is not running yet. Returns the names it started, so a
 * caller (npm test) stops only what it started. Idempotent: running servers are kept.
 * `started` is filled as it goes, so a Ctrl-C during start-up knows what to stop.
 */
export async function up(started = []) {
  try {
    for (const server of servers) {
      const pid = readPid(server.name);
      if (pid && alive(pid)) {
        await waitReady(server, pid);
        log(`${server.title}: already running (pid ${pid})`);
        continue;
      }
      if (pid) {
        log(`${server.title}: stale pid file (pid ${pid} is not running), cleaning up`);
        forgetPid(server.name);
      }
      const busy = await busyPorts(server);
      if (busy.length > 0) {
        throw new Error(
          `${server.title}: port ${busy.join(', ')} is already in use by a process this stack did not start ` +
            `(state in ${stateDir}). Stop it (see \`ss -ltnp\`) or pick other ports with STACK_*_PORT.`,
        );
      }
      if (!keepData) wipeData(server.name);
      log(`${server.title}: starting…`);
      const t0 = Date.now();
      const newPid = launch(server);
      started.push(server.name);
      try {
        await waitReady(server, newPid);
      } catch (err) {
        process.stderr.write(`\n--- last lines of ${logFile(server.name)} ---\n${tail(server.name)}\n---\n`);
        throw err;
      }
      log(`${server.title}: ready in ${((Date.now() - t0) / 1000).toFixed(1)} s (pid ${newPid})`);
    }
  } catch (err) {
    if (started.length > 0) await down(started);
    throw err;
  }
  return started;
}

/** Stops the named servers (default: all), newest first. */
export async function down(names = servers.map((s) => s.name)) {
  for (const server of [...servers].reverse()) {
    if (!names.includes(server.name)) continue;
    const pid = readPid(server.name);
    if (pid && alive(pid)) {
      log(`${server.title}: stopping (pid ${pid})`);
      await terminate(pid);
    }
    forgetPid(server.name);
  }
}

export async function status() {
  const rows = [];
  for (const server of servers) {
    const pid = readPid(server.name);
    const running = pid !== null && alive(pid);
    let ready = false;
    if (running) {
      try {
        await server.ready();
        ready = true;
      } catch { /* not ready */ }
    }
    const busy = running ? [] : await busyPorts(server);
    rows.push({
      name: server.name,
      title: server.title,
      state: running ? (ready ? 'ready' : 'starting/unhealthy') : pid ? 'stale pid file' : busy.length ? `stopped, but port ${busy.join(',')} busy` : 'stopped',
      pid: running ? pid : null,
      ports: server.ports,
    });
  }
  return rows;
}
