// Operator CLI for the dead-letter topic: `dlq list` shows what is there, `dlq replay`
// writes selected dead letters back to the commands topic once what made them fail is
// fixed outside the record (a schema now registered, a newer processor deployed).
// Run: `npx tsx src/tools/dlq.ts …`, `npm run dlq -- …`, or `runDlqCli(args)` from another entry.
import { createInterface } from 'node:readline/promises';
import { pathToFileURL } from 'node:url';
import { Command, CommanderError, Option } from 'commander';
import { ConfigError, loadConfig, type Config } from '../shared/config.js';
import { createKafka, createProducer, createTopicReader } from '../shared/kafka.js';
import {
  FilterError,
  deadLetterJson,
  describeDeadLetter,
  dlqPosition,
  matchesFilter,
  parseFilter,
  replayRecord,
  unreplayable,
  selectDeadLetters,
  toDeadLetter,
  type DeadLetter,
} from './dlq-selection.js';
import { readTopicToEnd } from './topic-reader.js';

export interface DlqCliIo {
  /** Environment the configuration is read from (default: process.env). */
  env?: Record<string, string | undefined>;
  out?: (line: string) => void;
  err?: (line: string) => void;
  /** Asked before a replay without --yes; default: a y/N prompt when stdin is a terminal, else refuse. */
  confirm?: (question: string) => Promise<boolean>;
}

/** Exit codes: 0 done, 1 Kafka failed, 2 bad usage or configuration. */
class UsageError extends Error {}

interface FilterOptions {
  error?: string;
  partition?: string;
  fromOffset?: string;
  toOffset?: string;
  orderId?: string;
  limit?: string;
}

const withFilters = (cmd: Command): Command =>
  cmd
    .option('--error <codes>', 'only these error codes, comma-separated (e.g. UNKNOWN_SCHEMA_ID)')
    .option('--partition <n>', 'only this DLQ partition')
    .option('--from-offset <n>', 'only DLQ offsets ≥ n')
    .option('--to-offset <n>', 'only DLQ offsets ≤ n')
    .option('--order-id <id>', 'only records keyed by this orderId')
    .option('--limit <n>', 'at most n records (the first in partition/offset order)');

export async function runDlqCli(argv: string[], io: DlqCliIo = {}): Promise<number> {
  const out = io.out ?? ((line: string) => void process.stdout.write(`${line}\n`));
  const err = io.err ?? ((line: string) => void process.stderr.write(`${line}\n`));
  const confirm = io.confirm ?? askOnTerminal;

  const configOf = (): Config => loadConfig(io.env ?? process.env);
  /** Reads the whole DLQ, keeping in memory only the dead letters the filter matches. */
  const select = async (config: Config, opts: FilterOptions): Promise<{ total: number; selected: DeadLetter[] }> => {
    const filter = parseFilter(opts);
    const reader = createTopicReader({ brokers: config.kafkaBrokers, clientId: `${config.serviceName}-dlq-tool`, security: config.kafkaSecurity });
    const matching: DeadLetter[] = [];
    const total = await readTopicToEnd(reader, config.topics.deadLetters, (record) => {
      const letter = toDeadLetter(record);
      if (matchesFilter(letter, filter)) matching.push(letter);
    });
    return { total, selected: selectDeadLetters(matching, filter) };
  };

  const program = new Command('dlq')
    .description('List and replay dead letters of the order-service command processor')
    .exitOverride()
    .configureOutput({ writeOut: (s) => out(s.trimEnd()), writeErr: (s) => err(s.trimEnd()) })
    .showHelpAfterError();

  withFilters(program.command('list').description('print the dead letters (reads the DLQ topic to its end, commits nothing)'))
    .addOption(new Option('--json', 'one JSON object per line'))
    .action(async (opts: FilterOptions & { json?: boolean }) => {
      const config = configOf();
      const { total, selected } = await select(config, opts);
      for (const l of selected) out(opts.json ? JSON.stringify(deadLetterJson(l)) : describeDeadLetter(l));
      err(`${selected.length} of ${total} dead letters in ${config.topics.deadLetters} selected`);
    });

  withFilters(program.command('replay').description("write the selected dead letters' original key, value and headers back to the commands topic"))
    .option('--dry-run', 'print what would be replayed; produce nothing')
    .option('--yes', 'replay without asking')
    .action(async (opts: FilterOptions & { dryRun?: boolean; yes?: boolean }) => {
      const config = configOf();
      const target = config.topics.commands;
      const { total, selected } = await select(config, opts);
      if (selected.length === 0) {
        err(`nothing to replay: 0 of ${total} dead letters in ${config.topics.deadLetters} match`);
        return;
      }
      const refused = selected.flatMap((l) => {
        const why = unreplayable(l);
        return why ? [`${dlqPosition(l)} (${l.errorCode}, order ${l.orderId ?? '(no key)'}): ${why}`] : [];
      });
      if (refused.length > 0) {
        throw new UsageError(`not replayed: ${refused.length} of the selected dead letters cannot be replayed; narrow the selection (--error, --partition, --from-offset/--to-offset):\n  ${refused.join('\n  ')}`);
      }
      if (opts.dryRun) {
        for (const l of selected) out(`would replay ${describeDeadLetter(l)}  →  ${target}`);
        err(`dry run: ${selected.length} dead letter(s) would be replayed to ${target}; nothing was produced`);
        return;
      }
      if (!opts.yes && !(await confirm(`Replay ${selected.length} dead letter(s) to ${target}? [y/N] `))) {
        throw new UsageError('not replayed (not confirmed): pass --yes to replay without asking, --dry-run to preview');
      }
      const kafka = createKafka({ brokers: config.kafkaBrokers, clientId: `${config.serviceName}-dlq-tool`, security: config.kafkaSecurity });
      // murmur2 like every producer of ours: the original key lands in its order's partition.
      const producer = createProducer(kafka, { messageTimeoutMs: 30_000 });
      await producer.connect();
      try {
        const written = await producer.send({ topic: target, messages: selected.map((l) => replayRecord(l)) });
        selected.forEach((l, i) => {
          const at = written[i];
          out(`replayed ${dlqPosition(l)} (${l.errorCode}, order ${l.orderId ?? '(no key)'})  →  ${target}${at ? ` partition ${at.partition}${at.offset ? ` offset ${at.offset}` : ''}` : ''}`);
        });
      } finally {
        await producer.disconnect().catch(() => undefined);
      }
      err(
        `replayed ${selected.length} dead letter(s) to ${target}. They are new records; the dead letters stay in the DLQ. ` +
          `Replaying one again writes another record: the processor applies a commandId once and answers a repeat with the first outcome (for as long as its outcome is kept, 7 days). ` +
          'A record that still cannot be decoded is dead-lettered again.',
      );
    });

  try {
    await program.parseAsync(argv, { from: 'user' });
    return 0;
  } catch (e) {
    if (e instanceof CommanderError) return e.code === 'commander.helpDisplayed' || e.code === 'commander.help' || e.code === 'commander.version' ? 0 : 2;
    if (e instanceof ConfigError || e instanceof FilterError || e instanceof UsageError) {
      err(e.message);
      return 2;
    }
    err(`dlq failed: ${(e as Error).message}`);
    return 1;
  }
}

async function askOnTerminal(question: string): Promise<boolean> {
  if (!process.stdin.isTTY) return false;
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return /^y(es)?$/i.test((await rl.question(question)).trim());
  } finally {
    rl.close();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = await runDlqCli(process.argv.slice(2));
}
