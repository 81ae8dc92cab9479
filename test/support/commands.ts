// Command records as a direct Kafka producer would write them (docs/design.md §3).
import { randomUUID } from 'node:crypto';
import { buildCommand, toCommandPayload, type Command, type CommandType, type HttpBody } from '../../src/schemas/index.js';

/** The seed's create body (verbatim amounts as JSON numbers). */
export const seedCreateBody = (customerId = 'CUST-001') => ({
  customerId,
  priority: 'standard',
  items: [{ sku: 'SKU-001', productName: 'Widget A', quantity: 2, price: { amount: 29.99, currency: 'USD' } }],
  shippingAddress: { street: '123 Main St', city: 'New York', state: 'NY', zipCode: '10001', country: 'US' },
});

export function command<T extends CommandType>(type: T, orderId: string, body?: HttpBody<T>, commandId: string = randomUUID()): Command {
  return buildCommand(
    type,
    { commandId, orderId, issuedAt: new Date().toISOString(), correlationId: randomUUID(), source: 'test-suite' },
    toCommandPayload(type, body),
  ) as Command;
}

export const createOrder = (orderId: string, customerId?: string): Command =>
  command('CreateOrder', orderId, seedCreateBody(customerId) as unknown as HttpBody<'CreateOrder'>);

/** A plausible lifecycle, in order (about five commands per order). */
export function lifecycle(orderId: string): Command[] {
  return [
    createOrder(orderId),
    command('ValidateOrder', orderId),
    command('AssignWave', orderId, { waveId: 'WAVE-1' } as HttpBody<'AssignWave'>),
    command('StartPicking', orderId),
    command('MarkPacked', orderId),
  ];
}

export async function waitFor<T>(probe: () => Promise<T | undefined | null | false>, timeoutMs = 60_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await probe();
      if (v) return v;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? ` (last error: ${(last as Error).message})` : ''}`);
}
