// The "what runs where" block `npm start` prints once the edge and the processor are ready.
import { relative } from 'node:path';
import { logFile, servers } from './servers.mjs';

const shown = (path) => {
  const rel = relative(process.cwd(), path);
  return rel.startsWith('..') ? path : rel;
};

/** A connection string without its password (the banner is shown and logged). */
const redacted = (uri) => uri.replace(/\/\/([^:@/]+):[^@/]+@/, '//$1:***@');

/**
 * @param {{ config: any, urls: { edge: string, processor: string }, serviceLogs: string[], stack: { kind: 'given' | 'containers' | 'local', started: string[] }, seconds: number }} p
 */
export function readyBanner({ config, urls, serviceLogs, stack, seconds }) {
  const row = (name, value, note = '') => `  ${name.padEnd(13)} ${value}${note ? `   ${note}` : ''}`;
  const serverLogs = stack.kind === 'local' ? servers.map((s) => shown(logFile(s.name))) : [];
  const stops = {
    given: 'the edge and the processor (the servers are yours: given endpoints, left running)',
    containers: 'the edge, the processor and the containers started for them',
    local:
      stack.started.length === servers.length
        ? 'the edge, the processor and the local stack it started'
        : stack.started.length
          ? `the edge, the processor and the servers it started (${stack.started.join(', ')}); the others were already running and keep running`
          : 'the edge and the processor; the servers were already running and keep running',
  }[stack.kind];
  return [
    '',
    `order-service is ready (edge and processor up in ${seconds.toFixed(1)} s)`,
    '',
    row('HTTP API', `${urls.edge}/api/v1/orders`),
    row('OpenAPI UI', `${urls.edge}/docs`),
    row('edge', `${urls.edge}/health`, '(also /ready, /metrics)'),
    row('processor', `${urls.processor}/ready`, '(also /health)'),
    row('metrics', `${urls.processor}/metrics`, `(edge: ${urls.edge}/metrics)`),
    row('Kafka', config.kafkaBrokers.join(','), `commands on ${config.topics.commands}, events on ${config.topics.events}`),
    row('registry', config.schemaRegistryUrl),
    row('MongoDB', redacted(config.mongodbUri), `database ${config.mongodbDatabase}`),
    row('logs', serviceLogs.map(shown).join(', ')),
    ...(serverLogs.length ? [row('', serverLogs.join(', '))] : []),
    '',
    `Ctrl-C stops ${stops}.`,
    '',
  ].join('\n');
}
