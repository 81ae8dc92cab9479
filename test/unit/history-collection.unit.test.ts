// Which history entries an order representation shows: the creation and the most recent.
import { describe, expect, it } from 'vitest';
import { MAX_TIMELINE, historyKey, timelineVersions } from '../../src/shared/history-collection.js';

describe('timelineVersions', () => {
  it('is every version while the order has at most MAX_TIMELINE', () => {
    expect(timelineVersions(0)).toEqual([]);
    expect(timelineVersions(1)).toEqual([1]);
    expect(timelineVersions(5)).toEqual([1, 2, 3, 4, 5]);
    expect(timelineVersions(MAX_TIMELINE)).toHaveLength(MAX_TIMELINE);
  });

  it('is the creation plus the most recent ones beyond that', () => {
    const v = timelineVersions(1000);
    expect(v).toHaveLength(MAX_TIMELINE);
    expect(v[0]).toBe(1);
    expect(v[1]).toBe(1000 - MAX_TIMELINE + 2);
    expect(v.at(-1)).toBe(1000);
    expect(timelineVersions(MAX_TIMELINE + 1).slice(0, 3)).toEqual([1, 3, 4]);
  });

  it('keys entries by order and version', () => {
    expect(historyKey('ORD-1', 7)).toBe('ORD-1/7');
  });
});
