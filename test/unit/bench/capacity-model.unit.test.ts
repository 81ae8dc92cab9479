// The capacity model's arithmetic: cost fits and the sizing from measured costs.
import { describe, expect, it } from 'vitest';
import { DEFAULT_ASSUMPTIONS, fitLine, fitTwo, fixedCosts, size, type MeasuredCosts } from '../../../bench/capacity-model.js';
import { mongoPerCommand } from '../../../bench/mongo-bytes.js';

describe('fits', () => {
  it('recovers a per-command and a per-transaction cost', () => {
    // cpu = 0.5 ms × commands + 8 ms × transactions
    const rows = [
      { x1: 1000, x2: 600, y: 0.5 * 1000 + 8 * 600 },
      { x1: 4000, x2: 400, y: 0.5 * 4000 + 8 * 400 },
      { x1: 9000, x2: 90, y: 0.5 * 9000 + 8 * 90 },
    ];
    const f = fitTwo(rows)!;
    expect(f.a).toBeCloseTo(0.5);
    expect(f.b).toBeCloseTo(8);
  });

  it('gives nothing when the points cannot separate the two (transactions proportional to commands)', () => {
    expect(fitTwo([{ x1: 100, x2: 50, y: 1 }, { x1: 200, x2: 100, y: 2 }])).toBeNull();
    expect(fitLine([{ x: 3, y: 1 }, { x: 3, y: 2 }])).toBeNull();
  });

  it('fits transaction wall time as fixed + per record, and skips unusable points', () => {
    const f = fixedCosts([
      { commands: 1000, transactions: 500, batches: 600, processorCpuMs: 5000, meanTransactionMs: 12 + 0.1 * 2, recordsPerTransaction: 2 },
      { commands: 4000, transactions: 100, batches: 150, processorCpuMs: 3000, meanTransactionMs: 12 + 0.1 * 40, recordsPerTransaction: 40 },
      { commands: 0, transactions: 0, batches: 0, processorCpuMs: NaN, meanTransactionMs: NaN, recordsPerTransaction: NaN },
    ]);
    expect(f.points).toBe(2);
    expect(f.transactionWall).toEqual({ fixedMs: 12, perRecordMs: 0.1 });
  });

  it('gives no split rather than a negative cost', () => {
    const f = fixedCosts([
      { commands: 1000, transactions: 500, batches: 900, processorCpuMs: 1000, meanTransactionMs: 20, recordsPerTransaction: 2 },
      { commands: 2000, transactions: 100, batches: 100, processorCpuMs: 4000, meanTransactionMs: 10, recordsPerTransaction: 20 },
    ]);
    expect(f.cpuPerBatch).toBeNull(); // the exact fit is −… ms per batch
    expect(f.transactionWall).toBeNull(); // a transaction of more records taking less time
  });
});

describe('size', () => {
  const m: MeasuredCosts = {
    cpuMsPerCommand: { processor: 1.4, edge: 0.7, kafka: 0.5 },
    fixed: { points: 3, cpuPerTransaction: null, cpuPerBatch: null, transactionWall: { fixedMs: 10, perRecordMs: 1.96 } },
    kafkaBytesPerCommand: { commands: 700, events: 500, outcomes: 300, dlq: 0, offsets: 100, transactionState: 0 },
    mongo: { documentWrites: 3, bytesWritten: 1200, bytesStored: 1000 },
  };

  it('sizes replicas by the larger of CPU and transaction time', () => {
    const s = size(10_000, m);
    // CPU: 10,000 × 1.4 ms = 14 cores / 0.7 = 20; transactions: 250 per (10 + 490) ms = 500/s per replica → 20.
    expect(s.processorReplicas).toEqual({ cpu: 20, transactions: 20, needed: 20 });
    expect(s.edgeReplicas).toBe(10);
  });

  it('keeps at least the minimum replicas and one partition per processor', () => {
    const s = size(100, m);
    expect(s.processorReplicas.needed).toBe(DEFAULT_ASSUMPTIONS.minReplicas);
    expect(s.partitions).toBeGreaterThanOrEqual(s.processorReplicas.needed);
  });

  it('derives Kafka bytes, partitions by bytes, and MongoDB shards', () => {
    const s = size(100_000, m, { ...DEFAULT_ASSUMPTIONS, partitionBytesPerSecond: 1e6, mongoWritesPerShard: 50_000 });
    expect(s.kafka.ingressMBps).toBe(160); // 1,600 B × 100,000/s
    expect(s.kafka.replicatedMBps).toBe(480);
    expect(s.partitions).toBe(Math.max(s.processorReplicas.needed, 70)); // commands topic 700 B × 100,000 / 1 MB/s
    expect(s.mongo).toMatchObject({ documentWritesPerSecond: 300_000, writeMBps: 120, shards: 6 });
  });
});

describe('mongoPerCommand', () => {
  it('counts the order rewrite per command plus the other collections', () => {
    const c = { orders: { documents: 100, meanBytes: 700 }, order_history: { documents: 400, meanBytes: 300 }, outcomes: { documents: 400, meanBytes: 200 } };
    expect(mongoPerCommand(c, 400)).toEqual({ documentWrites: 3, bytesWritten: 700 + 300 + 200, bytesStored: Math.round((70_000 + 120_000 + 80_000) / 400) });
  });
});
