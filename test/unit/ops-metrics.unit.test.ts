// The Grafana dashboard and the Prometheus alert rules query metrics by name; a renamed
// or misspelled metric would leave a panel empty and an alert silent forever. Every name
// they use must be exported by the real edge or processor registry.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { createEdgeMetrics } from '../../src/edge/metrics.js';
import { createProcessorMetrics } from '../../src/processor/metrics.js';

const root = join(import.meta.dirname, '..', '..');
const read = (file: string) => readFileSync(join(root, file), 'utf8');

interface Panel { type: string; title: string; id: number; targets?: { expr: string }[]; panels?: Panel[] }
const dashboard = JSON.parse(read('ops/grafana/order-service.json')) as { uid: string; panels: Panel[] };
interface Rule { alert: string; expr: string; for?: string; labels?: Record<string, string>; annotations?: Record<string, string> }
const alertRules = (parse(read('ops/prometheus/alerts.yml')) as { groups: { name: string; rules: Rule[] }[] }).groups.flatMap((g) => g.rules);
const scrapeJobs = (parse(read('ops/prometheus/prometheus.yml')) as { scrape_configs: { job_name: string }[] }).scrape_configs.map((c) => c.job_name);

/** Series Prometheus itself writes for every target. */
const PROMETHEUS_SERIES = new Set(['up']);
const PROMQL_KEYWORDS = new Set(['and', 'or', 'unless', 'bool', 'offset', 'by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'inf', 'nan']);

/** Metric names a PromQL expression selects (functions, keywords, labels, strings and durations left out). */
function metricNames(expr: string): string[] {
  const bare = expr
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'/g, '""') // strings
    .replace(/\$\{?\w+\}?/g, '1m') // Grafana variables ($__rate_interval)
    .replace(/\{[^}]*\}/g, '') // label matchers
    .replace(/\[[^\]]*\]/g, '') // ranges and subqueries
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/gi, ''); // label lists
  const names = new Set<string>();
  for (const m of bare.matchAll(/(?<![\w.:])[a-zA-Z_:][\w:]*/g)) {
    const isCall = /^\s*\(/.test(bare.slice(m.index + m[0].length));
    if (!isCall && !PROMQL_KEYWORDS.has(m[0].toLowerCase())) names.add(m[0]);
  }
  return [...names];
}

/** Every series name a registry exposes, histogram/summary suffixes included. */
async function seriesNames(registry: Registry): Promise<Set<string>> {
  const names = new Set<string>();
  for (const m of await registry.getMetricsAsJSON()) {
    names.add(m.name);
    // prom-client types `type` as an enum but sets the exposition's type string.
    const type = String(m.type);
    const suffixes = type === 'histogram' ? ['_bucket', '_sum', '_count'] : type === 'summary' ? ['_sum', '_count'] : [];
    for (const s of suffixes) names.add(`${m.name}${s}`);
  }
  return names;
}

const panels = (list: Panel[]): Panel[] => list.flatMap((p) => [p, ...panels(p.panels ?? [])]);
const queries = [
  ...panels(dashboard.panels).flatMap((p) => (p.targets ?? []).map((t) => ({ where: `dashboard panel "${p.title}"`, expr: t.expr }))),
  ...alertRules.map((r) => ({ where: `alert ${r.alert}`, expr: r.expr })),
];

describe('metricNames (PromQL)', () => {
  it('finds the selected metrics and nothing else', () => {
    expect(metricNames('histogram_quantile(0.99, sum by (le, route) (rate(http_request_duration_seconds_bucket{job="edge", route=~"/api.*"}[5m])))')).toEqual([
      'http_request_duration_seconds_bucket',
    ]);
    expect(metricNames('sum by (instance) (lag_a) > 0 and on (instance) sum(rate(b_count[$__rate_interval])) == 1e3 unless c offset 5m')).toEqual(['lag_a', 'b_count', 'c']);
    expect(metricNames('up{job=~"order-service-.+"} == 0')).toEqual(['up']);
  });
});

describe('ops/grafana/order-service.json and ops/prometheus/alerts.yml', async () => {
  const exported = new Set([
    ...(await seriesNames(createEdgeMetrics().registry)),
    ...(await seriesNames(createProcessorMetrics().registry)),
    ...PROMETHEUS_SERIES,
  ]);

  it('query something in every panel and rule', () => {
    expect(queries.length).toBeGreaterThan(10);
    for (const q of queries) expect(metricNames(q.expr), q.where).not.toEqual([]);
  });

  it.each(queries.map((q) => [q.where, q.expr]))('%s uses only exported metrics', (_where, expr) => {
    expect(metricNames(expr).filter((name) => !exported.has(name))).toEqual([]);
  });

  it('select only the scrape jobs of ops/prometheus/prometheus.yml', () => {
    for (const q of queries) {
      for (const [, op, value] of q.expr.matchAll(/\bjob\s*(=~|=)\s*"([^"]*)"/g)) {
        const matches = (job: string) => (op === '=' ? job === value : new RegExp(`^(?:${value})$`).test(job));
        expect(scrapeJobs.some(matches), `${q.where}: job${op}"${value}"`).toBe(true);
      }
    }
  });

  it('alert on lag, stalls, dead letters, edge 5xx, readiness, targets down, transaction aborts and p99 latency', () => {
    const alerted = new Set(alertRules.flatMap((r) => metricNames(r.expr)));
    for (const name of [
      'order_processor_consumer_lag',
      'order_processor_batch_duration_seconds_count',
      'order_processor_dead_letters_total',
      'http_request_duration_seconds_count',
      'order_processor_ready',
      'up',
      'order_processor_transaction_aborts_total',
      'order_processor_latency_seconds_bucket',
    ]) expect(alerted, name).toContain(name);
  });

  it('give every alert a unique name, a severity and a summary', () => {
    expect(new Set(alertRules.map((r) => r.alert)).size).toBe(alertRules.length);
    for (const r of alertRules) {
      expect(['warning', 'critical'], r.alert).toContain(r.labels?.severity);
      expect(r.annotations?.summary, r.alert).toBeTruthy();
    }
  });

  it('give every dashboard panel a unique id and the Prometheus datasource variable', () => {
    const all = panels(dashboard.panels);
    expect(new Set(all.map((p) => p.id)).size).toBe(all.length);
    for (const p of all.filter((p) => p.type !== 'row')) expect((p as { datasource?: { uid?: string } }).datasource?.uid, p.title).toBe('${datasource}');
  });
});
