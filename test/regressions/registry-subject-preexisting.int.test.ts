// Regression (issue 11, hole 0): a subject that exists without our compatibility level (kill between
// register and set-BACKWARD, or another client first) made every registration throw forever.
import { describe, expect, it } from 'vitest';
import type { AvroSchema } from '../../src/schemas/index.js';
import { createRegistry, RegistryUnavailableError, SchemaRegistrationError, schemaRegistrar } from '../../src/shared/registry.js';
import { freePort } from '../support/ports.js';
import { stackEnv, uniqueName } from '../support/stack-env.js';

const url = stackEnv().schemaRegistryUrl.replace(/\/$/, '');

const probe = (fields: Extract<AvroSchema, { type: 'record' }>['fields']): AvroSchema => ({ type: 'record', name: 'wms.test.RegistrationProbe', fields });
const ours = probe([
  { name: 'id', type: 'string' },
  { name: 'note', type: ['null', 'string'], default: null },
]);
// Another team's version of the subject: ours can read it (BACKWARD) and it can read ours (FORWARD).
const theirs = probe([{ name: 'id', type: 'string' }]);

/** The registry's REST API as another client (or our own interrupted first registration) uses it. */
async function rest(method: string, path: string, body?: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${url}${path}`, {
    method,
    headers: { 'content-type': 'application/vnd.schemaregistry.v1+json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}
const registerRaw = async (subject: string, schema: AvroSchema) =>
  (await rest('POST', `/subjects/${encodeURIComponent(subject)}/versions`, { schema: JSON.stringify(schema) })).body.id as number;
const subjectLevel = async (subject: string) =>
  (await rest('GET', `/config/${encodeURIComponent(subject)}`)).body.compatibilityLevel;
const versions = async (subject: string) => (await rest('GET', `/subjects/${encodeURIComponent(subject)}/versions`)).body;

function capturingLogger() {
  const warnings: { fields: Record<string, unknown>; message: string }[] = [];
  return { warnings, logger: { warn: (fields: Record<string, unknown>, message: string) => void warnings.push({ fields, message }) } };
}

describe('schema registration when the subject already exists', () => {
  it('(a) crash window: our schema registered, no compatibility level of its own → returns its id and sets BACKWARD', async () => {
    const subject = uniqueName('crash-window-value');
    const registeredBeforeTheKill = await registerRaw(subject, ours);
    expect(await subjectLevel(subject)).toBe('NONE'); // what Apicurio reports for "no subject-level rule"

    const { logger } = capturingLogger();
    const id = await schemaRegistrar(createRegistry(url), { logger }).register(subject, ours);
    expect(id).toBe(registeredBeforeTheKill);
    expect(await subjectLevel(subject)).toBe('BACKWARD');
    expect(await versions(subject)).toHaveLength(1);
  });

  it('(b) registered first by someone else with FORWARD and another version → adopts FORWARD, warns once, registers', async () => {
    const subject = uniqueName('foreign-forward-value');
    expect((await rest('PUT', `/config/${encodeURIComponent(subject)}`, { compatibility: 'FORWARD' })).status).toBe(200);
    const theirId = await registerRaw(subject, theirs);

    const { logger, warnings } = capturingLogger();
    const registrar = schemaRegistrar(createRegistry(url), { logger });
    const id = await registrar.register(subject, ours);
    expect(id).toBeGreaterThan(0);
    expect(id).not.toBe(theirId);
    expect(await registrar.register(subject, ours)).toBe(id);
    expect(await subjectLevel(subject)).toBe('FORWARD'); // their explicit level is kept
    expect(await versions(subject)).toHaveLength(2);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]!.fields).toMatchObject({ subject, subjectCompatibility: 'FORWARD', ourCompatibility: 'BACKWARD' });
  });

  it('(b) registered first by someone else under NONE with another version → registers, warns, subject gets BACKWARD', async () => {
    const subject = uniqueName('foreign-none-value');
    expect((await rest('PUT', `/config/${encodeURIComponent(subject)}`, { compatibility: 'NONE' })).status).toBe(200);
    const theirId = await registerRaw(subject, theirs);

    const { logger, warnings } = capturingLogger();
    const id = await schemaRegistrar(createRegistry(url), { logger }).register(subject, ours);
    expect(id).toBeGreaterThan(0);
    expect(id).not.toBe(theirId);
    // On Apicurio a subject-level NONE is no rule at all: indistinguishable from the crash window.
    expect(await subjectLevel(subject)).toBe('BACKWARD');
    expect(await versions(subject)).toHaveLength(2);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]!.fields).toMatchObject({ subject, subjectCompatibility: 'NONE', ourCompatibility: 'BACKWARD' });
  });

  it('(c) a registry that does not answer → RegistryUnavailableError (transient: retry)', async () => {
    const closed = `http://127.0.0.1:${await freePort()}/apis/ccompat/v7`;
    const err = await schemaRegistrar(createRegistry(closed)).register(uniqueName('closed-value'), ours).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RegistryUnavailableError);
  });

  it('a schema the registry refuses → SchemaRegistrationError with the subject and error code (not transient)', async () => {
    const subject = uniqueName('refused-value');
    const registrar = schemaRegistrar(createRegistry(url));
    await registrar.register(subject, ours);
    // A new field without a default cannot read data written with the registered version.
    const incompatible = probe([{ name: 'id', type: 'string' }, { name: 'warehouse', type: 'string' }]);
    const err = await registrar.register(subject, incompatible).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SchemaRegistrationError);
    expect(err).not.toBeInstanceOf(RegistryUnavailableError);
    expect(err).toMatchObject({ subject, status: 409 });
    expect((err as Error).message).toContain(subject);
  });

  it('(d) concurrent registrations of one schema, from one registrar and from several (replicas) → one id, one version', async () => {
    const subject = uniqueName('concurrent-value');
    // Today's code failed here too (a replica read NONE between another's register and set-config);
    // about every other run, Apicurio answers one of the concurrent PUT /config with 409.
    const registrars = Array.from({ length: 4 }, () => schemaRegistrar(createRegistry(url)));
    const ids = await Promise.all(registrars.flatMap((r) => [r.register(subject, ours), r.register(subject, ours)]));
    expect(new Set(ids).size).toBe(1);
    expect(await versions(subject)).toHaveLength(1);
    expect(await subjectLevel(subject)).toBe('BACKWARD');
  });
});
