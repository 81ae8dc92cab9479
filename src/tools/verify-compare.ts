// What `order-service verify` compares, pure: the orders and history one side holds (the
// event log folded, or a database), held in memory, against the other side streamed past
// it one document at a time. Per order: status, every other field, version, and each
// history entry.
import { isDeepStrictEqual } from 'node:util';
import type { Order, OrderState, TimelineEntry } from '../domain/index.js';

export interface Difference {
  orderId: string;
  what: string;
}

/** One side's order: its state and its history entries by version. */
export interface OrderSnapshot extends OrderState {
  history: Map<number, TimelineEntry>;
}

const show = (v: unknown): string => (v === undefined ? '(none)' : JSON.stringify(v));

function fieldDifferences(a: Order, b: Order): string[] {
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].filter((k) => k !== 'status').sort();
  return keys.filter((k) => !isDeepStrictEqual(a[k as keyof Order], b[k as keyof Order]));
}

export class Comparison {
  private readonly differences: Difference[] = [];
  private readonly seenOrders = new Set<string>();
  private readonly seenHistory = new Map<string, Set<number>>();

  /** `expected`: the side held in memory, named `left`; the streamed side is `right`. */
  constructor(
    private readonly expected: ReadonlyMap<string, OrderSnapshot>,
    private readonly left: string,
    private readonly right: string,
  ) {}

  private differ(orderId: string, what: string): void {
    this.differences.push({ orderId, what });
  }

  /** A difference found while reading a side (an event published twice, a hole in the log). */
  note(orderId: string, what: string): void {
    this.differ(orderId, what);
  }

  order(orderId: string, state: OrderState): void {
    this.seenOrders.add(orderId);
    const want = this.expected.get(orderId);
    if (!want) return this.differ(orderId, `only in ${this.right} (version ${state.version}, ${state.order?.status ?? 'no order'})`);
    if (want.order?.status !== state.order?.status) this.differ(orderId, `status: ${this.left} ${show(want.order?.status)}, ${this.right} ${show(state.order?.status)}`);
    if (want.version !== state.version) this.differ(orderId, `version: ${this.left} ${want.version}, ${this.right} ${state.version}`);
    if (want.order && state.order) {
      for (const field of fieldDifferences(want.order, state.order)) {
        this.differ(orderId, `${field}: ${this.left} ${show(want.order[field as keyof Order])}, ${this.right} ${show(state.order[field as keyof Order])}`);
      }
    } else if (!want.order !== !state.order) this.differ(orderId, `order: ${this.left} ${want.order ? 'present' : 'absent'}, ${this.right} ${state.order ? 'present' : 'absent'}`);
  }

  historyEntry(orderId: string, entry: TimelineEntry): void {
    const seen = this.seenHistory.get(orderId) ?? new Set<number>();
    this.seenHistory.set(orderId, seen);
    seen.add(entry.version);
    const want = this.expected.get(orderId)?.history.get(entry.version);
    if (!want) return this.differ(orderId, `history entry ${entry.version} only in ${this.right} (${entry.event})`);
    if (!isDeepStrictEqual({ ...want }, { ...entry })) this.differ(orderId, `history entry ${entry.version}: ${this.left} ${show(want)}, ${this.right} ${show(entry)}`);
  }

  /** Everything the streamed side lacked, added to what differed; sorted by order. */
  finish(): Difference[] {
    for (const [orderId, want] of this.expected) {
      if (!this.seenOrders.has(orderId)) this.differ(orderId, `only in ${this.left} (version ${want.version}, ${want.order?.status ?? 'no order'})`);
      const seen = this.seenHistory.get(orderId);
      const missing = [...want.history.keys()].filter((v) => !seen?.has(v)).sort((a, b) => a - b);
      if (missing.length > 0) this.differ(orderId, `history entries ${ranges(missing)} only in ${this.left}`);
    }
    return this.differences.sort((a, b) => (a.orderId < b.orderId ? -1 : a.orderId > b.orderId ? 1 : 0));
  }
}

/** 1,2,3,5 → "1-3, 5". */
function ranges(versions: number[]): string {
  const parts: string[] = [];
  for (let i = 0; i < versions.length; ) {
    let j = i;
    while (j + 1 < versions.length && versions[j + 1] === versions[j]! + 1) j++;
    parts.push(i === j ? String(versions[i]) : `${versions[i]}-${versions[j]}`);
    i = j + 1;
  }
  return parts.join(', ');
}
