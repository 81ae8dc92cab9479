// The Helm chart (deploy/helm/order-service), checked offline (no cluster here): Helm's
// own `lint --strict` and `template` with the defaults and with every optional part on,
// each rendered object decoded strictly into its official Go type (deploy/helm/validate:
// k8s.io/api, KEDA, Prometheus operator), then the chart against the code: env names
// against CONFIG_VARIABLES (and which process reads them), probe paths against the routes
// the edge and the processor really serve, the KEDA cap against COMMAND_PARTITIONS, and
// the PrometheusRule against ops/prometheus/alerts.yml. Helm and the validator are built
// from the Go module proxy on the first run and cached (stack/provision.mjs).
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import Fastify from 'fastify';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments, parse } from 'yaml';
import { opsRoutes } from '../../src/edge/routes/ops.js';
import type { EdgeMetrics } from '../../src/edge/metrics.js';
import { startOpsServer } from '../../src/processor/http.js';
import { CONFIG_VARIABLES, type ConfigConsumer } from '../../src/shared/config.js';
import { chartValidator, helmBinary } from '../../stack/provision.mjs';

const root = join(import.meta.dirname, '..', '..');
const chart = join(root, 'deploy/helm/order-service');
const production = join(root, 'deploy/helm/examples/production.yaml');
/** The oldest Kubernetes the chart supports (Chart.yaml kubeVersion); offline Helm assumes 1.20 otherwise. */
const KUBE_VERSION = '1.30.0';

/** The value sets rendered: defaults, every optional part on, and that with a chart-created Secret. */
const ALL_ON = ['-f', production];
const VALUE_SETS: Record<string, string[]> = {
  defaults: [],
  'all optional parts on': ALL_ON,
  'all on, credentials from values': [
    ...ALL_ON,
    '--set', 'existingSecret=',
    '--set', 'mongodb.uri=mongodb://orders:secret@mongo-0.mongo:27017/?replicaSet=rs0',
    '--set', 'kafka.sasl.password=kafka-secret',
    '--set', 'auth.apiToken=0123456789abcdef0123',
  ],
};

interface EnvVar { name: string; value?: string; valueFrom?: { secretKeyRef?: { name: string; key: string }; fieldRef?: { fieldPath: string } } }
interface Probe { httpGet?: { path: string; port: string | number } }
interface Container {
  name: string;
  command?: string[];
  env?: EnvVar[];
  ports?: { name: string; containerPort: number }[];
  livenessProbe?: Probe;
  readinessProbe?: Probe;
  startupProbe?: Probe;
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  securityContext?: { readOnlyRootFilesystem?: boolean; allowPrivilegeEscalation?: boolean; capabilities?: { drop?: string[] } };
  volumeMounts?: { name: string; mountPath: string }[];
}
interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Record<string, string> };
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  spec?: any;
  stringData?: Record<string, string>;
}
interface PodSpec { containers: Container[]; securityContext?: { runAsNonRoot?: boolean; runAsUser?: number; seccompProfile?: { type: string } }; volumes?: { name: string; emptyDir?: object }[] }

let helm: string;
let validator: string;

function run(cmd: string, args: string[], input?: string) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', input, cwd: root, maxBuffer: 64 << 20 });
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const template = (args: string[]) => run(helm, ['template', 'orders', chart, '--kube-version', KUBE_VERSION, ...args]);

function render(args: string[]): { text: string; objects: K8sObject[] } {
  const r = template(args);
  if (r.status !== 0) throw new Error(`helm template failed:\n${r.stderr}`);
  const objects = parseAllDocuments(r.stdout).map((d) => d.toJS() as K8sObject | null).filter((o): o is K8sObject => o !== null);
  return { text: r.stdout, objects };
}

/** The strict decoder's verdict on a rendered stream: exit status, objects seen, errors. */
function validate(text: string) {
  const r = run(validator, [], text);
  const objects = r.stdout.trim() ? (JSON.parse(r.stdout) as { kind: string; name: string; errors?: string[] }[]) : [];
  return { status: r.status, objects, stderr: r.stderr };
}

/** Our workloads, each with its role (the entry point its container runs). */
function workloads(objects: K8sObject[]): { role: ConfigConsumer; object: K8sObject; pod: PodSpec; container: Container }[] {
  return objects
    .filter((o) => o.kind === 'Deployment' || o.kind === 'StatefulSet')
    .flatMap((object) => {
      const pod = object.spec.template.spec as PodSpec;
      return pod.containers.map((container) => {
        const role = /^dist\/src\/(edge|processor)\/main\.js$/.exec(container.command?.at(-1) ?? '')?.[1] as ConfigConsumer | undefined;
        if (!role) throw new Error(`${object.kind} ${object.metadata.name} runs neither the edge nor the processor: ${container.command?.join(' ')}`);
        return { role, object, pod, container };
      });
    });
}

const byName = new Map(CONFIG_VARIABLES.map((v) => [v.name, v]));

/** Every env name a container gets must be read by the process it runs; none twice; required ones set. */
function envProblems(objects: K8sObject[]): string[] {
  const problems: string[] = [];
  for (const { role, object, container } of workloads(objects)) {
    const where = `${object.kind} ${object.metadata.name}/${container.name}`;
    const names = (container.env ?? []).map((e) => e.name);
    for (const name of names) {
      const variable = byName.get(name);
      if (!variable) problems.push(`${where}: ${name} is not read by src/shared/config.ts`);
      else if (!variable.usedBy.includes(role)) problems.push(`${where}: ${name} is read by ${variable.usedBy.join(', ')}, not the ${role}`);
    }
    for (const name of new Set(names)) if (names.indexOf(name) !== names.lastIndexOf(name)) problems.push(`${where}: ${name} is set twice`);
    for (const v of CONFIG_VARIABLES) {
      if (v.default === 'required' && v.usedBy.includes(role) && !names.includes(v.name)) problems.push(`${where}: required ${v.name} is not set`);
    }
  }
  return problems;
}

const envOf = (c: Container, name: string) => c.env?.find((e) => e.name === name);
const kinds = (objects: K8sObject[]) => objects.map((o) => o.kind).sort();

beforeAll(() => {
  helm = helmBinary();
  validator = chartValidator();
}, 40 * 60_000);

describe('Helm chart: Helm and the Kubernetes API types accept it', () => {
  for (const [label, args] of Object.entries(VALUE_SETS)) {
    it(`${label}: helm lint --strict passes`, () => {
      const r = run(helm, ['lint', '--strict', chart, ...args]);
      expect(`${r.stdout}${r.stderr}`).toContain('0 chart(s) failed');
      expect(r.status).toBe(0);
    });

    it(`${label}: every rendered object decodes strictly into its official type`, () => {
      const { text, objects } = render(args);
      const v = validate(text);
      expect(v.stderr).toBe('');
      expect(v.status).toBe(0);
      expect(v.objects.map((o) => o.kind).sort()).toEqual(kinds(objects));
    });
  }

  it('renders the expected objects: defaults, and every optional part on', () => {
    expect(kinds(render([]).objects)).toEqual(
      ['Deployment', 'HorizontalPodAutoscaler', 'PodDisruptionBudget', 'PodDisruptionBudget', 'Secret', 'Service', 'Service', 'ServiceAccount', 'StatefulSet'],
    );
    expect(kinds(render(ALL_ON).objects)).toEqual(
      ['Deployment', 'HorizontalPodAutoscaler', 'PodDisruptionBudget', 'PodDisruptionBudget', 'PrometheusRule', 'ScaledObject', 'Service', 'Service', 'ServiceAccount', 'ServiceMonitor', 'ServiceMonitor', 'StatefulSet', 'TriggerAuthentication'],
    );
  });

  it('the strict decoder rejects an unknown field, a wrongly-cased field and an unknown kind (the check can fail)', () => {
    const { text } = render([]);
    const unknown = text.replace(/( +)readinessProbe:\n(\s+)httpGet:\n/, '$1readinessProbe:\n$2httpGet:\n$2  paht: /ready\n');
    expect(unknown).not.toBe(text);
    const u = validate(unknown);
    expect(u.status).toBe(1);
    expect(u.stderr).toMatch(/unknown field "spec\.template\.spec\.containers\[0\]\.readinessProbe\.httpGet\.paht"/);

    const cased = text.replace('containerPort:', 'ContainerPort:');
    expect(validate(cased).stderr).toMatch(/unknown field .*ContainerPort/);

    expect(validate(text.replace('kind: StatefulSet', 'kind: StatefullSet')).stderr).toMatch(/StatefullSet is not one this validator knows/);
  });

  it('helm lint --strict rejects a misspelled value (values.schema.json; the check can fail)', () => {
    const r = run(helm, ['lint', '--strict', chart, '--set', 'keda.maxReplica=3']);
    expect(r.status).not.toBe(0);
    expect(`${r.stdout}${r.stderr}`).toContain("additional properties 'maxReplica' not allowed");
  });

  it('helm template fails with a clear message on inconsistent values', () => {
    const r = template(['--set', 'kafka.sasl.mechanism=plain']);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/kafka\.sasl\.(username|password) is required with kafka\.sasl\.mechanism/);
  });
});

describe('Helm chart: matches the configuration the code reads', () => {
  for (const [label, args] of Object.entries(VALUE_SETS)) {
    it(`${label}: every env name is one src/shared/config.ts reads, for the process that reads it`, () => {
      const { objects } = render(args);
      expect(workloads(objects).map((w) => w.role).sort()).toEqual(['edge', 'processor']);
      expect(envProblems(objects)).toEqual([]);
    });
  }

  it('flags a bogus env name and a variable given to the wrong process (the check can fail)', () => {
    const bogus = render(['--set', 'processor.env.PROCESSOR_BATCH_MAX=100']).objects;
    expect(envProblems(bogus)).toEqual([expect.stringMatching(/StatefulSet .*: PROCESSOR_BATCH_MAX is not read by src\/shared\/config\.ts/)]);
    const wrongProcess = render(['--set', 'edge.env.PROCESSOR_MAX_BATCH=100']).objects;
    expect(envProblems(wrongProcess)).toEqual([expect.stringMatching(/Deployment .*: PROCESSOR_MAX_BATCH is read by processor, not the edge/)]);
    const twice = render(['--set', 'edge.env.PORT=9000']).objects;
    expect(envProblems(twice)).toEqual([expect.stringMatching(/PORT is set twice/)]);
  });

  it('every processor gets its pod name as PROCESSOR_INSTANCE_ID (the transactional id), from a StatefulSet', () => {
    for (const args of Object.values(VALUE_SETS)) {
      const processors = workloads(render(args).objects).filter((w) => w.role === 'processor');
      expect(processors.map((p) => p.object.kind)).toEqual(['StatefulSet']);
      expect(envOf(processors[0]!.container, 'PROCESSOR_INSTANCE_ID')).toEqual({ name: 'PROCESSOR_INSTANCE_ID', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } });
    }
  });

  it('credentials come from a Secret whose keys are the env names, never from plain values', () => {
    for (const args of Object.values(VALUE_SETS)) {
      const { objects } = render(args);
      const secret = objects.find((o) => o.kind === 'Secret');
      for (const { container } of workloads(objects)) {
        for (const name of ['MONGODB_URI', 'KAFKA_SASL_PASSWORD', 'API_TOKEN']) {
          const e = envOf(container, name);
          if (!e) continue;
          expect(e.value, name).toBeUndefined();
          expect(e.valueFrom?.secretKeyRef?.key).toBe(name);
          if (secret) {
            expect(e.valueFrom?.secretKeyRef?.name).toBe(secret.metadata.name);
            expect(Object.keys(secret.stringData ?? {})).toContain(name);
          }
        }
      }
      for (const key of Object.keys(secret?.stringData ?? {})) expect(byName.has(key), key).toBe(true);
    }
  });
});

describe('Helm chart: probes hit the routes the code serves', () => {
  // The real route handlers: the edge's ops routes on a bare Fastify app, the processor's
  // ops server on a loopback port, each with stub dependencies that report healthy.
  const edgeApp = Fastify();
  opsRoutes(edgeApp, {
    readiness: { check: async () => ({ ready: true, status: 'ready', checks: {} }), close: async () => {} },
    metrics: { registry: new Registry() } as EdgeMetrics,
  });
  let processorUrl = '';
  let processorServer: Awaited<ReturnType<typeof startOpsServer>> | undefined;

  beforeAll(async () => {
    const healthy = { ready: () => ({ ready: true, reasons: [] }), live: () => ({ live: true, reasons: [] }) };
    processorServer = await startOpsServer(0, '127.0.0.1', healthy, new Registry());
    processorUrl = `http://127.0.0.1:${(processorServer.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await edgeApp.close();
    await new Promise((resolve) => processorServer?.close(resolve));
  });

  const answers = {
    edge: async (path: string) => (await edgeApp.inject({ method: 'GET', url: path })).statusCode,
    processor: async (path: string) => (await fetch(`${processorUrl}${path}`)).status,
  };

  it('the stub servers answer 404 off their routes (the check can fail)', async () => {
    expect(await answers.edge('/healthz')).toBe(404);
    expect(await answers.processor('/healthz')).toBe(404);
  });

  for (const [label, args] of Object.entries(VALUE_SETS)) {
    it(`${label}: liveness on /health, readiness on /ready, on the port the process listens on`, async () => {
      for (const { role, container } of workloads(render(args).objects)) {
        const portVar = role === 'edge' ? 'PORT' : 'PROCESSOR_PORT';
        const listens = Number(envOf(container, portVar)?.value);
        expect(listens, portVar).toBeGreaterThan(0);
        const probes = { liveness: container.livenessProbe, readiness: container.readinessProbe, startup: container.startupProbe };
        // Liveness must not be /ready: an outage makes every replica unready, and restarting them would not help.
        const expected = { liveness: '/health', readiness: '/ready', startup: '/health' };
        for (const [kind, probe] of Object.entries(probes)) {
          if (!probe) {
            expect(kind, `${role} ${kind} probe`).toBe('startup');
            continue;
          }
          const { path, port } = probe.httpGet ?? { path: '', port: '' };
          expect(path, `${role} ${kind} probe`).toBe(expected[kind as keyof typeof expected]);
          const containerPort = typeof port === 'number' ? port : container.ports?.find((p) => p.name === port)?.containerPort;
          expect(containerPort, `${role} ${kind} probe port`).toBe(listens);
          expect(await answers[role](path), `${role} serves ${path}`).toBe(200);
        }
      }
    });
  }
});

describe('Helm chart: KEDA, monitoring, security', () => {
  it('the KEDA scaler reads the processors\' group on the commands topic, capped at COMMAND_PARTITIONS', () => {
    const { objects } = render(ALL_ON);
    const processor = workloads(objects).find((w) => w.role === 'processor')!;
    const env = (name: string) => envOf(processor.container, name)?.value;
    const scaled = objects.find((o) => o.kind === 'ScaledObject')!;
    expect(scaled.spec.scaleTargetRef).toEqual({ apiVersion: 'apps/v1', kind: 'StatefulSet', name: processor.object.metadata.name });
    expect(scaled.spec.maxReplicaCount).toBeLessThanOrEqual(Number(env('COMMAND_PARTITIONS')));
    expect(processor.object.spec.replicas).toBeUndefined(); // KEDA owns the count
    const [trigger] = scaled.spec.triggers;
    expect(trigger.type).toBe('kafka');
    expect(trigger.metadata).toMatchObject({ bootstrapServers: env('KAFKA_BROKERS'), consumerGroup: env('PROCESSOR_GROUP_ID'), topic: env('TOPIC_COMMANDS'), tls: 'enable', sasl: 'scram_sha512' });
    const auth = objects.find((o) => o.kind === 'TriggerAuthentication')!;
    expect(trigger.authenticationRef.name).toBe(auth.metadata.name);
    const password = envOf(processor.container, 'KAFKA_SASL_PASSWORD')!.valueFrom!.secretKeyRef!;
    expect(auth.spec.secretTargetRef).toEqual([{ parameter: 'password', name: password.name, key: password.key }]);

    // Without keda.maxReplicas the cap is the partition count itself.
    const defaulted = render([...ALL_ON, '--set', 'keda.maxReplicas=null', '--set', 'kafka.commandPartitions=6']).objects;
    expect(defaulted.find((o) => o.kind === 'ScaledObject')!.spec.maxReplicaCount).toBe(6);
  });

  it('fails the render when max replicas exceed the partition count', () => {
    const r = template(['-f', production, '--set', 'keda.maxReplicas=13']);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain('keda.maxReplicas=13 is above kafka.commandPartitions=12');
    const fixed = template(['--set', 'processor.replicas=13']);
    expect(fixed.status).not.toBe(0);
    expect(fixed.stderr).toContain('processor.replicas=13 is above kafka.commandPartitions=12');
  });

  it('the PrometheusRule holds exactly the rules of ops/prometheus/alerts.yml, scraped under the jobs they select', () => {
    const { objects } = render(ALL_ON);
    const opsRules = parse(readFileSync(join(root, 'ops/prometheus/alerts.yml'), 'utf8')) as { groups: unknown[] };
    const rule = objects.find((o) => o.kind === 'PrometheusRule')!;
    expect(rule.spec.groups).toEqual(opsRules.groups);
    const jobs = (parse(readFileSync(join(root, 'ops/prometheus/prometheus.yml'), 'utf8')) as { scrape_configs: { job_name: string }[] }).scrape_configs.map((c) => c.job_name);
    const monitors = objects.filter((o) => o.kind === 'ServiceMonitor');
    const relabelledJobs = monitors.flatMap((m) => m.spec.endpoints.flatMap((e: { relabelings: { targetLabel: string; replacement: string }[] }) => e.relabelings.filter((r) => r.targetLabel === 'job').map((r) => r.replacement)));
    expect(relabelledJobs.sort()).toEqual([...jobs].sort());
    // Each monitor selects a Service that exposes the port it scrapes.
    const services = objects.filter((o) => o.kind === 'Service');
    for (const m of monitors) {
      const service = services.find((s) => Object.entries(m.spec.selector.matchLabels).every(([k, v]) => s.metadata.labels?.[k] === v));
      expect(service?.spec.ports.map((p: { name: string }) => p.name)).toContain(m.spec.endpoints[0].port);
    }
  });

  it('runs non-root with a read-only root filesystem, no capabilities, RuntimeDefault seccomp and resource limits', () => {
    for (const args of Object.values(VALUE_SETS)) {
      for (const { pod, container } of workloads(render(args).objects)) {
        expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
        expect(pod.securityContext?.runAsUser).toBeGreaterThan(0);
        expect(container.securityContext).toMatchObject({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } });
        expect(container.volumeMounts).toContainEqual({ name: 'tmp', mountPath: '/tmp' });
        expect(pod.volumes?.find((v) => v.name === 'tmp')?.emptyDir).toBeDefined();
        for (const r of ['cpu', 'memory']) {
          expect(container.resources?.requests?.[r]).toBeDefined();
          expect(container.resources?.limits?.[r]).toBeDefined();
        }
      }
    }
  });
});
