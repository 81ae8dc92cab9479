// Overload: when the event loop lags beyond EDGE_MAX_EVENT_LOOP_DELAY_MS the edge sheds
// load with 503 + Retry-After (under-pressure) instead of queueing, and serves again once
// the lag is gone. The edge runs in this process, so blocking our loop overloads it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SEED_CREATE_BODY, json, startEdge, type EdgeHarness } from '../support/edge-harness.js';

describe('overload', () => {
  let h: EdgeHarness;
  beforeAll(async () => {
    h = await startEdge({ env: { EDGE_MAX_EVENT_LOOP_DELAY_MS: '200', EDGE_RETRY_AFTER_SECONDS: '2' } });
  });
  afterAll(async () => h?.close());

  it('sheds with 503 OVERLOADED while the loop lags, then recovers', async () => {
    const busyUntil = Date.now() + 1500;
    while (Date.now() < busyUntil) {
      // block the event loop
    }
    // under-pressure samples once per second; give it the sample that sees the lag.
    await new Promise((r) => setTimeout(r, 50));
    let shed: Response | undefined;
    for (let i = 0; i < 20 && !shed; i++) {
      const res = await h.app.inject({ method: 'POST', url: '/api/v1/orders', headers: { 'content-type': 'application/json' }, payload: JSON.stringify(SEED_CREATE_BODY) });
      if (res.statusCode === 503) shed = new Response(res.body, { status: 503, headers: res.headers as Record<string, string> });
      else await new Promise((r) => setTimeout(r, 100));
    }
    expect(shed?.status).toBe(503);
    expect(shed?.headers.get('retry-after')).toBe('2');
    expect(await shed?.json()).toMatchObject({ code: 'OVERLOADED', status: 503 });

    await new Promise((r) => setTimeout(r, 2500));
    expect((await fetch(`${h.base}/api/v1/orders`, json('POST', SEED_CREATE_BODY))).status).toBe(202);
  });
});
