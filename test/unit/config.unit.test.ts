import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/shared/config.js';

const required = { MONGODB_URI: 'mongodb://127.0.0.1:27017/', KAFKA_BROKERS: '127.0.0.1:9092', SCHEMA_REGISTRY_URL: 'http://127.0.0.1:8081/apis/ccompat/v7' };

describe('configuration from the environment', () => {
  it('applies the seed defaults', () => {
    const c = loadConfig(required);
    expect(c).toMatchObject({
      serviceName: 'order-service',
      mongodbDatabase: 'orders_db',
      logLevel: 'info',
      port: 8001,
      kafkaBrokers: ['127.0.0.1:9092'],
      commandPartitions: 12,
      topics: { commands: 'wms.orders.commands', events: 'wms.orders.events', outcomes: 'wms.orders.command-outcomes', deadLetters: 'wms.orders.commands.dlq' },
    });
    expect(c.auth).toEqual({ protectOps: false });
  });

  it('reports every problem at once, one line each', () => {
    const err = (() => {
      try {
        loadConfig({ KAFKA_BROKERS: 'localhost', PORT: '99999', LOG_LEVEL: 'loud', SCHEMA_REGISTRY_URL: 'ftp://x', API_TOKEN: 'short' });
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).problems).toEqual([
      'MONGODB_URI is required',
      'KAFKA_BROKERS entry "localhost" must be host:port',
      'SCHEMA_REGISTRY_URL must be an http(s) URL',
      'API_TOKEN must be at least 16 characters',
      'LOG_LEVEL=loud must be one of fatal, error, warn, info, debug, trace, silent',
      'PORT=99999 must be an integer between 0 and 65535',
    ]);
  });

  it('reads SASL settings and requires their credentials', () => {
    expect(() => loadConfig({ ...required, KAFKA_SASL_MECHANISM: 'scram-sha-512' })).toThrow(/KAFKA_SASL_USERNAME is required/);
    const c = loadConfig({ ...required, KAFKA_SASL_MECHANISM: 'PLAIN', KAFKA_SASL_USERNAME: 'u', KAFKA_SASL_PASSWORD: 'p', KAFKA_SSL: 'true' });
    expect(c.kafkaSecurity).toEqual({ ssl: true, sasl: { mechanism: 'plain', username: 'u', password: 'p' } });
  });

  it('reads the JWT settings and requires issuer and audience with a JWKS URL', () => {
    const jwks = { AUTH_JWKS_URL: 'https://idp.example/.well-known/jwks.json' };
    expect(() => loadConfig({ ...required, ...jwks })).toThrow(/AUTH_JWT_ISSUER is required with AUTH_JWKS_URL[\s\S]*AUTH_JWT_AUDIENCE is required with AUTH_JWKS_URL/);
    expect(() => loadConfig({ ...required, AUTH_JWT_ISSUER: 'x' })).toThrow(/need AUTH_JWKS_URL/);
    expect(() => loadConfig({ ...required, ...jwks, AUTH_JWT_ISSUER: 'i', AUTH_JWT_AUDIENCE: 'a', AUTH_JWT_ALGORITHMS: 'RS256,HS256,none' })).toThrow(/"HS256" must be one of[\s\S]*"none" must be one of/);
    const c = loadConfig({ ...required, ...jwks, AUTH_JWT_ISSUER: 'https://idp.example/', AUTH_JWT_AUDIENCE: 'orders', AUTH_PROTECT_OPS: 'true', API_TOKEN: 't'.repeat(16) });
    expect(c.auth).toEqual({
      apiToken: 't'.repeat(16),
      protectOps: true,
      jwt: { jwksUrl: jwks.AUTH_JWKS_URL, issuer: 'https://idp.example/', audience: 'orders', algorithms: ['RS256', 'PS256', 'ES256', 'EdDSA'], clockSkewSeconds: 30 },
    });
  });

  it('gives the edge bounded defaults and reads overrides', () => {
    expect(loadConfig(required).edge).toEqual({
      produceTimeoutMs: 5000,
      maxInFlightProduces: 1000,
      maxWaitSeconds: 30,
      maxWaiters: 1000,
      bodyLimitBytes: 262144,
      maxEventLoopDelayMs: 1000,
      retryAfterSeconds: 5,
      headersTimeoutMs: 10_000,
      requestTimeoutMs: 30_000,
      connectionTimeoutMs: 90_000,
      keepAliveTimeoutMs: 65_000,
      maxRequestsPerSocket: 1000,
      maxHeaderBytes: 16_384,
      mongoTimeoutMs: 3000,
      idempotencyRetentionSeconds: 86_400,
    });
    const c = loadConfig({ ...required, PRODUCE_TIMEOUT_MS: '800', EDGE_MAX_IN_FLIGHT: '7', EDGE_MAX_WAIT_SECONDS: '3', EDGE_MAX_WAITERS: '0' });
    expect(c.edge).toMatchObject({ produceTimeoutMs: 800, maxInFlightProduces: 7, maxWaitSeconds: 3, maxWaiters: 0 });
    expect(() => loadConfig({ ...required, PRODUCE_TIMEOUT_MS: '0' })).toThrow(/PRODUCE_TIMEOUT_MS=0 must be an integer between 100 and 120000/);
    expect(() => loadConfig({ ...required, EDGE_CONNECTION_TIMEOUT_MS: '20000' })).toThrow(/EDGE_CONNECTION_TIMEOUT_MS=20000 must exceed EDGE_MAX_WAIT_SECONDS \+ PRODUCE_TIMEOUT_MS \(35000 ms\)/);
    expect(() => loadConfig({ ...required, EDGE_HEADERS_TIMEOUT_MS: '20000', EDGE_REQUEST_TIMEOUT_MS: '10000' })).toThrow(/EDGE_REQUEST_TIMEOUT_MS=10000 must be at least EDGE_HEADERS_TIMEOUT_MS=20000/);
  });

  it('turns tracing on only with an OTLP endpoint, as the OTEL_* variables say', () => {
    expect(loadConfig(required).tracing).toEqual({ sampler: 'parentbased_always_on', samplerRatio: 1 });
    expect(loadConfig({ ...required, OTEL_EXPORTER_OTLP_ENDPOINT: 'http://jaeger:4318/' }).tracing.tracesUrl).toBe('http://jaeger:4318/v1/traces');
    const both = { ...required, OTEL_EXPORTER_OTLP_ENDPOINT: 'http://jaeger:4318', OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'https://tempo:4318/otlp/v1/traces' };
    expect(loadConfig(both).tracing.tracesUrl).toBe('https://tempo:4318/otlp/v1/traces');
    expect(loadConfig({ ...both, OTEL_SDK_DISABLED: 'true' }).tracing.tracesUrl).toBeUndefined();
    expect(loadConfig({ ...required, OTEL_TRACES_SAMPLER: 'parentbased_traceidratio', OTEL_TRACES_SAMPLER_ARG: '0.1', OTEL_SERVICE_NAME: 'orders' }).tracing).toMatchObject({ sampler: 'parentbased_traceidratio', samplerRatio: 0.1, serviceName: 'orders' });
    expect(() => loadConfig({ ...required, OTEL_EXPORTER_OTLP_ENDPOINT: 'jaeger:4317', OTEL_TRACES_SAMPLER: 'sometimes', OTEL_TRACES_SAMPLER_ARG: '2' })).toThrow(
      /OTLP\/HTTP[\s\S]*OTEL_TRACES_SAMPLER=sometimes must be one of[\s\S]*OTEL_TRACES_SAMPLER_ARG=2 must be a number between 0 and 1/,
    );
  });

  // Issue 21, item 7: windows that must agree are checked at start.
  it('keeps Idempotency-Keys 24 h and outcomes 7 days by default, and refuses keys that outlive outcomes', () => {
    const c = loadConfig(required);
    expect([c.edge.idempotencyRetentionSeconds, c.processor.outcomeRetentionSeconds]).toEqual([86_400, 604_800]);
    expect(loadConfig({ ...required, IDEMPOTENCY_RETENTION_SECONDS: '3600', OUTCOME_RETENTION_SECONDS: '3600' }).edge.idempotencyRetentionSeconds).toBe(3600);
    expect(() => loadConfig({ ...required, OUTCOME_RETENTION_SECONDS: '3600' })).toThrow(
      /IDEMPOTENCY_RETENTION_SECONDS=86400 must not exceed OUTCOME_RETENTION_SECONDS=3600: a retry with a key older than the outcome would be applied twice/,
    );
  });
});

