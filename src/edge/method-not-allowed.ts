// 405 Method Not Allowed with `Allow` (RFC 9110 §15.5.5) for a method that a known path
// does not support (`DELETE /api/v1/orders/{id}`, `TRACE /health`), instead of a 404 that
// says the resource is missing. The answers are routes of Fastify's own router, so they
// match exactly the spellings the real routes match; they take their path's access rule
// (a protected path answers 401 before it tells its methods) and stay out of the OpenAPI
// document.
import type { FastifyInstance, RouteOptions } from 'fastify';
import type { RouteAccess } from './auth.js';
import { edgeError } from './errors.js';

interface KnownPath {
  methods: Set<string>;
  access: RouteAccess | undefined;
}

/** Records every route from now on; the returned function adds the 405 routes once all are known. */
export function methodNotAllowedRoutes(app: FastifyInstance): () => void {
  const paths = new Map<string, KnownPath>();
  let sealed = false;
  app.addHook('onRoute', (route: RouteOptions) => {
    if (sealed) return;
    const known = paths.get(route.url) ?? { methods: new Set<string>(), access: route.config?.access };
    for (const m of [route.method].flat()) known.methods.add(m);
    paths.set(route.url, known);
  });
  return () => {
    sealed = true;
    for (const [url, known] of paths) {
      // hasRoute too: a prefixed plugin's `/` route is known under two urls (`/docs`, `/docs/`).
      const missing = app.supportedMethods.filter((m) => !known.methods.has(m) && !app.hasRoute({ url, method: m }));
      if (missing.length === 0) continue;
      const allow = [...known.methods].sort().join(', ');
      app.route({
        method: missing,
        url,
        schema: { hide: true },
        config: { ...(known.access ? { access: known.access } : {}), scope: 'any' },
        handler: async (request, reply) => {
          reply.header('allow', allow);
          throw edgeError('METHOD_NOT_ALLOWED', `${request.method} is not supported here; use ${allow}`);
        },
      });
    }
  };
}
