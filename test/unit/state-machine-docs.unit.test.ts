// docs/state-machine.md is generated from TRANSITIONS (npm run docs:states). This fails when
// the committed picture and the table differ: the file is compared with a fresh
// generation, and its arrows are read back and compared with the table itself.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ORDER_STATUSES, TRANSITIONS } from '../../src/domain/index.js';
import { STATE_MACHINE_FILE, renderStateMachine } from '../../src/tools/state-machine-docs.js';

const committed = readFileSync(STATE_MACHINE_FILE, 'utf8');

/** Every `from --> to : A, B` arrow of the page's mermaid block, one triple per command. */
function arrowsOf(page: string): string[] {
  const diagram = /```mermaid\n(stateDiagram-v2\n[\s\S]*?)\n```/.exec(page)?.[1] ?? '';
  return [...diagram.matchAll(/^\s*(\S+) --> (\S+)(?: : (.+))?$/gm)].flatMap(([, from, to, commands]) =>
    commands ? commands.split(', ').map((c) => `${from} -${c}-> ${to}`) : [`${from} --> ${to}`],
  );
}

/** The same triples straight from the table, plus an end arrow for every status no command leaves. */
function arrowsOfTable(): string[] {
  const moves = Object.entries(TRANSITIONS).flatMap(([command, t]) => (t.from ?? ['[*]']).flatMap((from) => t.to.map((to) => `${from} -${command}-> ${to}`)));
  const finals = ORDER_STATUSES.filter((s) => !Object.values(TRANSITIONS).some((t) => t.from?.includes(s))).map((s) => `${s} --> [*]`);
  return [...moves, ...finals];
}

describe('docs/state-machine.md', () => {
  it('is what `npm run docs:states` generates from TRANSITIONS', () => {
    expect(committed, 'docs/state-machine.md is stale: run npm run docs:states and commit it').toBe(renderStateMachine());
  });

  it('draws exactly the transitions of the table, and ends where no command leads on', () => {
    expect(arrowsOf(committed).sort()).toEqual(arrowsOfTable().sort());
    expect(arrowsOf(committed)).toContain('[*] -CreateOrder-> received');
    expect(arrowsOf(committed)).toContain('completed --> [*]');
  });

  it('changes when the table changes', () => {
    const changed = { ...TRANSITIONS, MarkPacked: { ...TRANSITIONS.MarkPacked, from: ['wave_assigned'] as const } };
    expect(arrowsOf(renderStateMachine(changed))).toContain('wave_assigned -MarkPacked-> packed');
    expect(renderStateMachine(changed)).not.toBe(committed);
  });
});
