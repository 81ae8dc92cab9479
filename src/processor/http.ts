// The processor's own small HTTP port: /health (liveness), /ready, /metrics.
import { createServer, type Server } from 'node:http';
import type { Registry } from 'prom-client';

export interface Probe {
  /** `degraded`: working, with something an operator must fix (answered 200, status `degraded`). */
  ready(): { ready: boolean; reasons: string[]; degraded?: string[] };
  live(): { live: boolean; reasons: string[] };
}

export function startOpsServer(port: number, host: string, probe: Probe, registry: Registry): Promise<Server> {
  const server = createServer(async (req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const json = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (req.method !== 'GET') return json(405, { error: 'method not allowed' });
    if (path === '/health') {
      // Liveness: an orchestrator restarts a replica whose consume loop hangs.
      const { live, reasons } = probe.live();
      return json(live ? 200 : 503, { status: live ? 'ok' : 'hung', reasons });
    }
    if (path === '/ready') {
      const { ready, reasons, degraded = [] } = probe.ready();
      const status = !ready ? 'not ready' : degraded.length > 0 ? 'degraded' : 'ready';
      return json(ready ? 200 : 503, { status, reasons, ...(degraded.length > 0 ? { degraded } : {}) });
    }
    if (path === '/metrics') {
      res.writeHead(200, { 'content-type': registry.contentType });
      return res.end(await registry.metrics());
    }
    json(404, { error: 'not found' });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve(server));
  });
}
