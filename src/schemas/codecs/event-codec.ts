// Event and outcome values: always Confluent-framed Avro through the registry.
import { EVENT_CONTRACTS, OUTCOME_CONTRACT } from '../catalog.js';
import type { EventType, OrderEvent } from '../events.js';
import type { CommandOutcome } from '../outcome.js';
import { decodeAvro, type AvroEncoder, type SchemaResolver } from './avro-codec.js';
import { EmptyValueError, UnknownMagicByteError } from './errors.js';
import { MAGIC_BYTE } from './wire.js';

/** Avro value of an event; `type` selects the record (`wms.orders.<type>`) and is not written as a field. */
export function encodeEvent(encoder: AvroEncoder, topic: string, event: OrderEvent): Promise<Buffer> {
  const { type, ...record } = event;
  return encoder.encode(EVENT_CONTRACTS[type], topic, record);
}

export const encodeOutcome = (encoder: AvroEncoder, topic: string, outcome: CommandOutcome): Promise<Buffer> =>
  encoder.encode(OUTCOME_CONTRACT, topic, outcome);

function checkFramed(value: Buffer | null | undefined): Buffer {
  if (!value || value.length === 0) throw new EmptyValueError();
  if (value[0] !== MAGIC_BYTE) throw new UnknownMagicByteError(value[0] as number);
  return value;
}

/** Decodes an event value (as a schema-registry-aware consumer would) back into a typed event. */
export async function decodeEvent(value: Buffer | null | undefined, resolver: SchemaResolver): Promise<OrderEvent> {
  const { contract, value: record } = await decodeAvro(checkFramed(value), resolver, 'event');
  const type = contract.recordName.slice('wms.orders.'.length) as EventType;
  return { type, ...(record as object) } as OrderEvent;
}

export async function decodeOutcome(value: Buffer | null | undefined, resolver: SchemaResolver): Promise<CommandOutcome> {
  return (await decodeAvro(checkFramed(value), resolver, 'outcome')).value as CommandOutcome;
}
