// The curl tour of the HTTP API (docs/examples/api-tour.sh) is shown verbatim in
// docs/http-api.md and works: run with bash against a real edge and processor, every step
// answers as the page says (the order ends completed, the second one cancelled, the bad request is a
// problem+json 400).
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli-process.js';
import { startEdgeAndProcessor } from '../support/edge-harness.js';
import { isolatedEnv } from '../support/processor-harness.js';
import { markedBlocks, readDoc, scriptBody } from '../support/doc-blocks.js';

const scriptPath = fileURLToPath(new URL('../../docs/examples/api-tour.sh', import.meta.url));

const PAGE = 'docs/http-api.md';

describe(`${PAGE}: HTTP API by example`, () => {
  it('shows docs/examples/api-tour.sh verbatim after its marker', () => {
    const blocks = markedBlocks(readDoc(PAGE), 'example: api-tour');
    expect(blocks, `one fenced block after <!-- example: api-tour --> in ${PAGE}`).toHaveLength(1);
    expect(blocks[0]).toBe(scriptBody(scriptPath));
  });

  const TOKEN = `api-tour-${randomUUID()}`;
  it.each([
    ['without authentication', {}, {}, '-'],
    ['with API_TOKEN set (TOKEN for the script)', { API_TOKEN: TOKEN }, { TOKEN }, 'api-token'],
  ] as const)('runs against a real edge and processor, %s', async (_how, edgeEnv, scriptEnv, caller) => {
    const service = await startEdgeAndProcessor({ ...isolatedEnv('api-tour', 2), ...edgeEnv });
    try {
      // A child process, not spawnSync: the edge answering the script runs in this process.
      const tour = runCli('bash', [scriptPath], { env: { ...process.env, EDGE: service.edge.base, ...scriptEnv } });
      const { code } = await tour.exited;
      const out = tour.output();
      expect(code, `api-tour.sh failed:\n${out}`).toBe(0);

      const orderId = /"orderId":"(ORD-[^"]+)"/.exec(out)?.[1];
      expect(orderId, out).toBeDefined();
      // The idempotent retry names the same order.
      expect(out).toMatch(new RegExp(`same order, not a second one\\n${orderId}\\n`));
      expect(out).toMatch(/HTTP 304 for ETag W\/"1"/);
      expect(out).toMatch(/"status":"applied"/);
      expect(out).toContain(`${orderId} received next_day v2`);
      for (const line of ['validated v3', 'wave_assigned v4 WAVE-42', 'picking v5', 'packed v6', 'shipped v7 UPS 1Z999AA10123456784']) expect(out).toContain(line);
      expect(out).toContain(`${orderId} completed v8`);
      expect(out).toMatch(new RegExp(`\\n8 completed [0-9a-f-]{36} \\S+ ${caller}\\n`));
      expect(out).toMatch(new RegExp(`\\n1 received [0-9a-f-]{36} api-tour-1 ${caller}\\n`));
      expect(out).toMatch(/ORD-\S+ cancelled Customer request\n/);
      expect(out).toMatch(/HTTP\/1\.1 400/);
      expect(out).toMatch(/content-type: application\/problem\+json/i);
      expect(out).toContain('{"status":"ok"}');
      expect(out).toMatch(/"status":"ready"/);
      expect(out).toMatch(/# HELP /);
      expect(out).toMatch(/OpenAPI 3\.\d+\.\d+: .*\/api\/v1\/orders\/\{orderId\}\/history/);
    } finally {
      await service.stop();
    }
  });
});
