// Container health probe (HEALTHCHECK / compose): node:*-slim images have no curl or wget.
// Exits 0 when the URL answers 2xx within 3 s; default: the edge's liveness route.
const url = process.argv[2] ?? `http://127.0.0.1:${process.env.PORT || 8001}/health`;
try {
  const res = await fetch(url, { signal: AbortSignal.timeout(3000) });
  process.exit(res.ok ? 0 : 1);
} catch {
  process.exit(1);
}
