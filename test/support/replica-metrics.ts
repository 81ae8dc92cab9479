// Counters of a processor replica, read the same way whether it runs in the test process
// (its prom-client registry) or as its own OS process (its /metrics text): a test asks
// "how many commands did this replica handle" without caring which kind it has.
import type { RunningProcessor } from './processor-harness.js';
import type { ReplicaProcess } from './processor-process.js';

type Labels = Record<string, string>;
const matches = (have: Labels, wanted: Labels) => Object.entries(wanted).every(([k, v]) => have[k] === v);

/** Sum of order_processor_commands_total series of the in-process replica whose labels include `labels`. */
export async function commandsHandled(p: RunningProcessor, labels: Labels): Promise<number> {
  const { values } = await p.metrics.commands.get();
  return values.filter((v) => matches(v.labels as Labels, labels)).reduce((n, v) => n + v.value, 0);
}

/** Parses one exposition line `name{a="x",b="y"} 3` into its labels and value. */
function parseLine(line: string): { name: string; labels: Labels; value: number } | undefined {
  const m = /^([a-zA-Z_:][\w:]*)(?:\{([^}]*)\})? (\S+)$/.exec(line);
  if (!m) return undefined;
  const labels = Object.fromEntries([...(m[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((l) => [l[1]!, l[2]!]));
  return { name: m[1]!, labels, value: Number(m[3]) };
}

/**
 * Sum of a spawned replica's series `name` whose labels include `labels`, from its /metrics
 * (0 while its ops port is not up or no such series exists).
 */
export async function scraped(replica: ReplicaProcess, name: string, labels: Labels = {}): Promise<number> {
  const text = await fetch(`${replica.opsUrl}/metrics`).then((r) => r.text()).catch(() => '');
  return text
    .split('\n')
    .map(parseLine)
    .filter((s) => s !== undefined && s.name === name && matches(s.labels, labels))
    .reduce((n, s) => n + s!.value, 0);
}
