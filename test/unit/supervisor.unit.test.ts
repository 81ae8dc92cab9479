// The supervisor behind `order-service all` and `npm start`, on small Node child
// processes: prefixed output and log files, a requested stop that waits, one child dying
// stopping the other, and a child that ignores the stop being killed.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { supervise, type SupervisedChild } from '../../bin/lib/supervisor.mjs';

// Each child prints `started` only once its SIGTERM handler is in place.
/** On SIGTERM prints `stopping` and exits with `code`. */
const polite = (name: string, code = 0): SupervisedChild => ({
  name,
  command: process.execPath,
  args: ['-e', `process.on('SIGTERM', () => { console.log('stopping'); process.exit(${code}); }); console.log('started'); setInterval(() => {}, 1000);`],
});
/** Exits with `code` on its own as soon as `trigger` exists. */
const dying = (name: string, code: number, trigger: string): SupervisedChild => ({
  name,
  command: process.execPath,
  args: ['-e', `setInterval(() => { if (require('node:fs').existsSync(${JSON.stringify(trigger)})) { console.error('giving up'); process.exit(${code}); } }, 20);`],
});
const stubborn = (name: string): SupervisedChild => ({
  name,
  command: process.execPath,
  args: ['-e', `process.on('SIGTERM', () => console.log('ignoring SIGTERM')); console.log('started'); setInterval(() => {}, 1000);`],
});
const triggerFile = () => join(mkdtempSync(join(tmpdir(), 'supervisor-')), 'die');

function capture() {
  const out = new PassThrough();
  let text = '';
  out.on('data', (c: Buffer) => (text += c.toString()));
  return { out, text: () => text };
}

const until = async (cond: () => boolean) => {
  while (!cond()) await new Promise((r) => setTimeout(r, 20));
};

describe('supervise', () => {
  it('prefixes each line with the child name, copies it to <logDir>/<name>.log and exits 0 after a requested stop', async () => {
    const logDir = mkdtempSync(join(tmpdir(), 'supervisor-'));
    const { out, text } = capture();
    const s = supervise([polite('edge'), polite('processor')], { out, logDir, handleSignals: false });
    await until(() => (text().match(/started/g) ?? []).length === 2);
    s.stop('SIGTERM');
    expect(await s.exited).toBe(0);
    expect(text()).toMatch(/^edge +\| started$/m);
    expect(text()).toMatch(/^processor +\| stopping$/m);
    expect(text()).toMatch(/^supervisor +\| edge stopped$/m);
    expect(readFileSync(join(logDir, 'edge.log'), 'utf8')).toBe('started\nstopping\n');
  });

  it('stops the others and exits with the dead child’s code when one exits on its own', async () => {
    const { out, text } = capture();
    const trigger = triggerFile();
    const s = supervise([polite('edge'), dying('processor', 3, trigger)], { out, handleSignals: false });
    await until(() => text().includes('started'));
    writeFileSync(trigger, '');
    expect(await s.exited).toBe(3);
    expect(text()).toMatch(/processor exited on its own \(code 3\): stopping the others/);
    expect(text()).toMatch(/^edge +\| stopping$/m);
    expect(s.running()).toEqual([]);
  });

  it('is non-zero when a child exits 0 on its own (a service must not just end)', async () => {
    const { out, text } = capture();
    const trigger = triggerFile();
    const s = supervise([polite('edge'), dying('processor', 0, trigger)], { out, handleSignals: false });
    await until(() => text().includes('started'));
    writeFileSync(trigger, '');
    expect(await s.exited).not.toBe(0);
  });

  it('reports a child that fails its own shutdown', async () => {
    const { out, text } = capture();
    const s = supervise([polite('edge', 1)], { out, handleSignals: false });
    await until(() => text().includes('started'));
    s.stop('SIGTERM');
    expect(await s.exited).toBe(1);
    expect(text()).toMatch(/edge did not stop cleanly \(code 1\)/);
  });

  it('kills a child still running after the grace period', async () => {
    const { out, text } = capture();
    const s = supervise([stubborn('edge')], { out, handleSignals: false, graceMs: 300 });
    await until(() => text().includes('started'));
    s.stop('SIGTERM');
    expect(await s.exited).not.toBe(0);
    expect(text()).toContain('ignoring SIGTERM');
    expect(text()).toMatch(/edge still running 0.3 s after SIGTERM: killing it/);
  });
});
