// CPU accounting from /proc text, a server's port from its endpoint, Kafka's internal partitions, the ceiling.
import { describe, expect, it } from 'vitest';
import { endpointPort } from '../../../bench/stack-processes.js';
import { cpuBetween, machineTicks, processTicks, type CpuReading } from '../../../bench/proc-cpu.js';
import { internalPartition, parseProperties } from '../../../bench/kafka-log-bytes.js';
import { ceilingOf } from '../../../bench/scale-out.js';

// A real line of /proc/<pid>/stat (FerretDB), with utime 3953 and stime 1204.
const FERRET = '9254 (ferretdb) S 1 9254 9254 0 -1 4194560 224716 0 8 0 3953 1204 0 0 20 0 10 0 29697 1406668800 13354 18446744073709551615';

describe('processTicks', () => {
  it('adds utime and stime (fields 14 and 15)', () => {
    expect(processTicks(FERRET)).toBe(3953 + 1204);
  });

  it('counts fields from the last parenthesis: a comm with spaces and ")" does not shift them', () => {
    expect(processTicks(FERRET.replace('(ferretdb)', '(a) b (c)'))).toBe(5157);
  });

  it('refuses text that is not a stat line', () => {
    expect(() => processTicks('nonsense')).toThrow();
  });
});

describe('machineTicks and cpuBetween', () => {
  it('counts busy as total minus idle and iowait', () => {
    expect(machineTicks('cpu  100 0 50 800 50 0 0 0 0 0\ncpu0 1 2 3 4 5 6 7 8\n')).toEqual({ busy: 150, total: 1000 });
  });

  it('turns two readings into ms and cores per process, and the machine share nobody named used', () => {
    const a: CpuReading = { at: 0, ticks: { edge: 100, processor: 1000, kafka: undefined }, machine: { busy: 0, total: 0 } };
    const b: CpuReading = { at: 2000, ticks: { edge: 150, processor: 1100, kafka: undefined }, machine: { busy: 300, total: 400 } };
    const u = cpuBetween(a, b, 100, 2);
    expect(u.ms).toEqual({ edge: 500, processor: 1000, kafka: null });
    expect(u.cores).toEqual({ edge: 0.25, processor: 0.5, kafka: null });
    expect(u.machine).toEqual({ coresBusy: 1.5, cores: 2, otherCores: 0.75 });
  });
});

describe('endpointPort', () => {
  it('reads the port of a broker list, an http URL and a MongoDB URI', () => {
    expect(endpointPort('127.0.0.1:9092,127.0.0.1:9093')).toBe(9092);
    expect(endpointPort('http://127.0.0.1:8081/apis/ccompat/v7')).toBe(8081);
    expect(endpointPort('mongodb://127.0.0.1:27017/')).toBe(27017);
    expect(endpointPort('mongodb://db.example/')).toBe(27017);
  });
});

describe('Kafka internal partitions', () => {
  it("uses Java's String.hashCode, made non-negative, modulo the partitions", () => {
    expect(internalPartition('test', 50)).toBe(3556498 % 50); // "test".hashCode() = 3556498
    // "polygenelubricants".hashCode() is Integer.MIN_VALUE: Utils.abs masks the sign bit → 0.
    expect(internalPartition('polygenelubricants', 6)).toBe(0);
  });

  it('parses properties', () => {
    expect(parseProperties('# c\nlog.dirs=/a,/b\n offsets.topic.num.partitions = 6\n')).toEqual({ 'log.dirs': '/a,/b', 'offsets.topic.num.partitions': '6' });
  });
});

describe('ceilingOf', () => {
  const usage = (cores: Record<string, number>, busy: number) => ({ seconds: 10, ms: {}, cores, machine: { coresBusy: busy, cores: 2, otherCores: 0 } });

  it('names a Node process at one core per instance', () => {
    expect(ceilingOf(usage({ processor: 0.95, kafka: 0.3 }, 1.4), { processor: 1 }).ceiling).toBe('processor');
    expect(ceilingOf(usage({ processor: 1.2, kafka: 0.3 }, 1.6), { processor: 2 }).ceiling).toBe('none');
  });

  it('names the machine when all its cores are busy and no Node process is saturated', () => {
    expect(ceilingOf(usage({ processor: 0.5, kafka: 0.7, mongodb: 0.6 }, 1.9), { processor: 1 }).ceiling).toBe('machine');
  });
});
