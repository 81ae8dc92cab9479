// The HTTP edge as an app factory: everything it talks to is injected, so tests and the
// benchmark start real instances on port 0 against the real stack. It never changes an
// order: it validates, produces a command, and answers reads from MongoDB.
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import underPressure from '@fastify/under-pressure';
import { Ajv, type Options as AjvOptions } from 'ajv';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Db } from 'mongodb';
import { v7 as uuidv7 } from 'uuid';
import type { SchemaResolver } from '../schemas/index.js';
import type { Config } from '../shared/config.js';
import type { Expiry } from '../shared/expiry.js';
import { ensureIdempotencyIndexes } from '../shared/idempotency-collection.js';
import type { Kafka } from '../shared/kafka.js';
import { createLogger, type Logger } from '../shared/logger.js';
import { findOutcome } from '../shared/command-outcomes.js';
import { tracingEnabled } from '../shared/tracing.js';
import { authHook, createAuthenticator, documentRouteSecurity, openApiSecurity } from './auth.js';
import { createCommandSender, type CommandSender } from './command-sender.js';
import { boundedDatabase } from './database.js';
import { clientErrorHandler } from './client-errors.js';
import { CORRELATION_HEADER, correlationIdOf } from './correlation.js';
import { Errors, PROBLEM_CONTENT_TYPE, edgeError, problem, renderError } from './errors.js';
import { parseJsonBody } from './json-body.js';
import { createEdgeMetrics, type EdgeMetrics } from './metrics.js';
import { methodNotAllowedRoutes } from './method-not-allowed.js';
import { tidyDocument } from './openapi.js';
import { OutcomeWaiter, type Outcome } from './outcome-waiter.js';
import { createReadiness } from './readiness.js';
import { registerRequestTracing } from './request-tracing.js';
import { HTTP_FORMATS } from './route-schemas.js';
import { commandsRoutes } from './routes/commands.js';
import { orderActionRoutes } from './routes/order-actions.js';
import { opsRoutes } from './routes/ops.js';
import { ordersRoutes } from './routes/orders.js';
import type { EdgeContext } from './submission.js';

export interface EdgeDeps {
  config: Config;
  db: Db;
  kafka: Kafka;
  /** Writer-schema look-up for Avro outcome records (src/shared/registry.ts schemaResolver). */
  resolver: SchemaResolver;
  logger?: Logger;
  /** Replaces the Kafka producer (the benchmark's no-Kafka ceiling). */
  sender?: CommandSender;
  metrics?: EdgeMetrics;
  /** Id source for orderIds and commandIds (default UUID v7); tests inject known ids. */
  newId?: () => string;
}

// Bodies: no coercion, no silent removal of unknown fields, every error reported.
const BODY_AJV: AjvOptions = { allErrors: true, removeAdditional: false, coerceTypes: false, useDefaults: false, strictTypes: false, formats: HTTP_FORMATS };
// Path, query and headers arrive as strings: coerce scalars (limit=10), still refuse unknown keys.
const PARTS_AJV: AjvOptions = { allErrors: true, removeAdditional: false, coerceTypes: true, useDefaults: true, strictTypes: false, formats: HTTP_FORMATS };

const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH']);

export async function buildEdge(deps: EdgeDeps): Promise<FastifyInstance> {
  const { config, db, kafka } = deps;
  const log = deps.logger ?? createLogger(`${config.serviceName}-edge`, config.logLevel);
  const metrics = deps.metrics ?? createEdgeMetrics();
  const render = (err: unknown) => renderError(err, { bodyLimit: config.edge.bodyLimitBytes, retryAfterSeconds: config.edge.retryAfterSeconds });
  const sendProblem = (err: unknown, request: FastifyRequest, reply: FastifyReply) => {
    const r = render(err);
    if (r.fault) request.log.error({ err }, 'request failed');
    else if (r.problem.status >= 500) {
      const cause = (err as { cause?: Error }).cause;
      request.log.warn({ code: r.problem.code, detail: r.problem.detail, ...(cause ? { cause: cause.message } : {}) }, 'service unavailable');
    }
    return reply.code(r.problem.status).headers(r.headers).type(PROBLEM_CONTENT_TYPE).send(r.problem);
  };

  const app = Fastify({
    loggerInstance: log as unknown as FastifyBaseLogger,
    // The correlation id is the request id: every log line of the request carries it.
    genReqId: (req) => correlationIdOf(req.headers),
    logController: new LogController({ requestIdLogLabel: 'correlationId' }),
    bodyLimit: config.edge.bodyLimitBytes,
    return503OnClosing: true,
    // Timeouts and limits set on purpose (Node's defaults let a client trickle its headers
    // for a minute and only look every 30 s): see EdgeConfig in src/shared/config.ts.
    connectionTimeout: config.edge.connectionTimeoutMs,
    requestTimeout: config.edge.requestTimeoutMs,
    keepAliveTimeout: config.edge.keepAliveTimeoutMs,
    maxRequestsPerSocket: config.edge.maxRequestsPerSocket,
    http: {
      headersTimeout: config.edge.headersTimeoutMs,
      requestTimeout: config.edge.requestTimeoutMs,
      maxHeaderSize: config.edge.maxHeaderBytes,
      // Node would answer a missing Host with an empty 400; the onRequest hook answers problem+json.
      requireHostHeader: false,
      // How often Node checks the two timeouts above (default 30 s, far coarser than they are).
      connectionsCheckingInterval: Math.min(1000, Math.ceil(config.edge.headersTimeoutMs / 2)),
    },
    clientErrorHandler,
    frameworkErrors: (error, request, reply) => {
      reply.header(CORRELATION_HEADER, String(request.id));
      return sendProblem(error, request, reply);
    },
  });

  const bodyAjv = new Ajv(BODY_AJV);
  const partsAjv = new Ajv(PARTS_AJV);
  app.setValidatorCompiler(({ schema, httpPart }) => (httpPart === 'body' ? bodyAjv : partsAjv).compile(schema as object));

  // JSON only (415 for anything else); an empty body counts as none, so body-less actions
  // (validate, start-picking, mark-packed) accept `Content-Type: application/json` without one.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(['application/json', 'application/merge-patch+json'], { parseAs: 'buffer' }, (_request, body, done) => {
    try {
      done(null, parseJsonBody(body as Buffer));
    } catch (err) {
      done(err as Error);
    }
  });

  app.setErrorHandler((error: FastifyError, request, reply) => sendProblem(error, request, reply));
  app.setNotFoundHandler((request, reply) =>
    reply.code(404).type(PROBLEM_CONTENT_TYPE).send(problem(404, 'ROUTE_NOT_FOUND', `No route ${request.method} ${request.url.split('?')[0]?.slice(0, 200)}`)),
  );

  app.addHook('onRequest', async (request, reply) => {
    reply.header(CORRELATION_HEADER, String(request.id));
    // RFC 9112 §3.2: an HTTP/1.1 request without Host is refused, whatever its target says.
    if (request.raw.httpVersion === '1.1' && request.headers.host === undefined) throw edgeError('BAD_REQUEST', 'An HTTP/1.1 request needs a Host header');
    // Bodies are read as sent; a compressed one would be misread as JSON (RFC 7694: 415).
    const encoding = request.headers['content-encoding'];
    if (encoding !== undefined && encoding.trim().toLowerCase() !== 'identity') throw edgeError('UNSUPPORTED_MEDIA_TYPE');
  });
  // Registered only when an SDK runs: tracing off adds no hook to the request path.
  if (tracingEnabled()) registerRequestTracing(app);
  // Before any body is read: an unauthenticated client cannot make the edge parse its body.
  const authenticator = createAuthenticator(config.auth);
  if (authenticator) app.addHook('onRequest', authHook(authenticator, { protectOps: config.auth.protectOps }));
  const security = openApiSecurity(config.auth);
  // Before any route exists: every route is seen by both (OpenAPI security, the 405 answers).
  app.addHook('onRoute', documentRouteSecurity(config.auth));
  const addMethodNotAllowed = methodNotAllowedRoutes(app);
  app.addHook('preValidation', async (request) => {
    if (request.body === undefined && BODY_METHODS.has(request.method)) request.body = {};
  });
  app.addHook('onResponse', async (request, reply) => {
    metrics.httpDuration.observe(
      { method: request.method, route: request.routeOptions.url ?? 'unmatched', status_code: String(reply.statusCode) },
      reply.elapsedTime / 1000,
    );
  });

  await app.register(underPressure, {
    maxEventLoopDelay: config.edge.maxEventLoopDelayMs,
    retryAfter: config.edge.retryAfterSeconds,
    customError: Errors.OVERLOADED as never,
  });
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Order Service API',
        version: '1.0.0',
        description: 'Commands are validated, written to Kafka and answered 202 (or, with `Prefer: wait=N`, with their outcome). Reads come from MongoDB.',
      },
      ...(security.schemes ? { components: { securitySchemes: security.schemes } } : {}),
    },
    transformObject: (documentObject) => tidyDocument((documentObject as { openapiObject: Record<string, unknown> }).openapiObject),
  });

  // The UI's routes are registered by the plugin: they are declared operations routes here.
  await app.register(async (docs) => {
    docs.addHook('onRoute', (route) => {
      route.config = { ...route.config, access: 'operations' };
    });
    await docs.register(swaggerUi, { routePrefix: '/docs' });
  });

  const database = boundedDatabase(db, config.edge.mongoTimeoutMs);
  const sender =
    deps.sender ??
    createCommandSender({ kafka, brokers: config.kafkaBrokers, topic: config.topics.commands, timeoutMs: config.edge.produceTimeoutMs, maxInFlight: config.edge.maxInFlightProduces, metrics, log });
  const waiter = new OutcomeWaiter({
    kafka,
    brokers: config.kafkaBrokers,
    topic: config.topics.outcomes,
    resolver: deps.resolver,
    metrics,
    log,
    serviceName: config.serviceName,
    maxWaiters: config.edge.maxWaiters,
    lookup: async (commandId): Promise<Outcome | undefined> => {
      const o = await database((d) => findOutcome(d, commandId));
      // Recorded before the command's Kafka transaction commits: no older record to ask.
      if (!o) return undefined;
      return { status: o.status, version: o.version, ...(o.code ? { code: o.code } : {}), ...(o.reason ? { reason: o.reason } : {}) };
    },
  });
  const readiness = createReadiness({ kafka, brokers: config.kafkaBrokers, topic: config.topics.commands, db, registryUrl: config.schemaRegistryUrl, waiter });
  const ctx: EdgeContext = { config, database, sender, waiter, newId: deps.newId ?? (() => uuidv7()), now: () => new Date() };

  ordersRoutes(app, ctx);
  orderActionRoutes(app, ctx);
  commandsRoutes(app, ctx);
  opsRoutes(app, { readiness, metrics });
  addMethodNotAllowed();

  let keyExpiry: Expiry | undefined;
  app.addHook('onReady', async () => {
    waiter.start();
    ensureIdempotencyIndexes(db, log, config.edge.idempotencyRetentionSeconds).then(
      (expiry) => (keyExpiry = expiry),
      (err: Error) => log.warn({ err: err.message }, 'could not create idempotency indexes'),
    );
  });
  // Waiting requests answer 202 at once instead of holding the shutdown for up to N s.
  app.addHook('preClose', async () => waiter.releaseAll());
  app.addHook('onClose', async () => {
    keyExpiry?.stop();
    await Promise.all([waiter.close(), sender.close(), readiness.close()]);
  });
  return app;
}
