// The processor's spans (docs/tracing.md). One span per batch attempt, because a batch
// is one unit of work: one MongoDB write round and one Kafka transaction. A span has one
// parent, so:
// - a batch of one record (the usual case below saturation) is a CHILD of the context
//   the record's `traceparent` names: request → produce → process → write/transaction is
//   one trace;
// - a batch of many records starts its own trace with one LINK per record that carries a
//   `traceparent` (the OpenTelemetry messaging conventions for batch processing), so
//   every producer's trace still leads to it. A span per record instead would multiply
//   the spans by the batch size (up to PROCESSOR_MAX_BATCH) on the hottest path.
// A record without a `traceparent` (written straight to Kafka by a client that does not
// trace) starts a new trace. Events and outcomes carry the batch span's context; with
// tracing off there is no span, and each carries its command record's own trace context,
// so a caller's trace still continues to the events it caused.
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Attributes, type Link, type Span } from '@opentelemetry/api';
import { extractContext, passedOnTrace, remoteSpanContext, traceHeaders, tracer } from '../shared/tracing.js';

export interface TracedRecord {
  headers?: Record<string, unknown>;
}

export function startBatchSpan(topic: string, records: readonly TracedRecord[]): Span {
  const attributes: Attributes = {
    'messaging.system': 'kafka',
    'messaging.operation.type': 'process',
    'messaging.destination.name': topic,
    'messaging.batch.message_count': records.length,
  };
  const name = `process ${topic}`;
  if (records.length === 1) return tracer().startSpan(name, { kind: SpanKind.CONSUMER, attributes }, extractContext(records[0]!.headers));
  const links: Link[] = [];
  for (const r of records) {
    const remote = remoteSpanContext(r.headers);
    if (remote) links.push({ context: remote });
  }
  return tracer().startSpan(name, { kind: SpanKind.CONSUMER, attributes, links, root: true }, ROOT_CONTEXT);
}

/** The trace context an event or outcome carries, by the commandId that caused it: the batch span's, or (tracing off) its command record's. */
export function outputTrace(span: Span | undefined, records: readonly { record: TracedRecord; command?: { commandId: string } }[]): (causedBy: string) => Record<string, string> {
  if (span) {
    const batch = traceHeaders(span);
    return () => batch;
  }
  const byCommand = new Map<string, Record<string, string>>();
  for (const r of records) if (r.command) byCommand.set(r.command.commandId, passedOnTrace(r.record.headers));
  return (causedBy) => byCommand.get(causedBy) ?? {};
}

/** Runs `work` in a child span of `parent` (none when tracing is off), recording a failure. */
export async function inChildSpan<T>(parent: Span | undefined, name: string, attributes: Attributes, work: () => Promise<T>): Promise<T> {
  if (!parent) return work();
  const span = tracer().startSpan(name, { kind: SpanKind.CLIENT, attributes }, trace.setSpan(ROOT_CONTEXT, parent));
  try {
    return await work();
  } catch (err) {
    failSpan(span, err);
    throw err;
  } finally {
    span.end();
  }
}

export function failSpan(span: Span, err: unknown): void {
  span.recordException(err as Error);
  span.setStatus({ code: SpanStatusCode.ERROR, message: (err as Error).message });
}
