// First-run steps of the stack tooling announce themselves, keep saying they are alive
// while a synchronous tool blocks the process, and report their time.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const progressModule = fileURLToPath(new URL('../../stack/progress.mjs', import.meta.url));

/** Runs a step around a blocking `sleep 3` in a separate Node process, returning its stderr. */
function runStep(body: string) {
  const script = `import { step } from ${JSON.stringify(progressModule)}; import { spawnSync } from 'node:child_process';\n${body}`;
  return spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', env: { ...process.env, STACK_HEARTBEAT_MS: '200' } });
}

describe('stack progress steps', () => {
  it('prints the step, a heartbeat while a synchronous tool runs, and the elapsed time', () => {
    const r = runStep(`step('downloading things', 'first run only', () => spawnSync('sleep', ['3']));`);
    expect(r.status).toBe(0);
    const lines = r.stderr.trim().split('\n');
    expect(lines[0]).toBe('[stack] downloading things (first run only)…');
    expect(lines.some((l) => /^\[stack\] downloading things: still working \(\d+ s\)…$/.test(l))).toBe(true);
    expect(lines.at(-1)).toMatch(/^\[stack\] downloading things: done in \d+ s$/);
  });

  it('stops the heartbeat when the step fails, and passes the error on', () => {
    const r = runStep(`try { step('building', undefined, () => { throw new Error('compiler broke'); }); } catch (e) { console.error('caught: ' + e.message); }\nspawnSync('sleep', ['1']);`);
    expect(r.status).toBe(0);
    expect(r.stderr).toContain('[stack] building…');
    expect(r.stderr).toContain('caught: compiler broke');
    expect(r.stderr).not.toContain('still working');
    expect(r.stderr).not.toContain('done in');
  });
});
