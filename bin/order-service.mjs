#!/usr/bin/env node
// `order-service edge | processor | all`: the service's command line. `edge` and
// `processor` run their entry in this process (dist/ when built, else the TypeScript
// sources through tsx); `all` supervises both as child processes.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { appRoot, importServiceModule, moduleSource } from './lib/service-modules.mjs';
import { serviceUrls, startEdgeAndProcessor, supervisedConfigOrExit } from './lib/services.mjs';

const { version } = JSON.parse(readFileSync(join(appRoot, 'package.json'), 'utf8'));

// The variable table comes from src/shared/config.ts, so help never drifts from config.
const config = await importServiceModule('src/shared/config').catch((err) => {
  process.stderr.write(`order-service: ${err.message}\n`);
  process.exit(1);
});

/** The environment variables `consumers` read, as an aligned help section. */
function variablesHelp(consumers) {
  const rows = config.CONFIG_VARIABLES.filter((v) => v.usedBy.some((c) => consumers.includes(c)));
  const width = Math.max(...rows.map((v) => v.name.length));
  const lines = rows.map((v) => `  ${v.name.padEnd(width)}  ${v.description} (default: ${v.default})`);
  return `\nEnvironment variables:\n${lines.join('\n')}\n`;
}

const program = new Command('order-service')
  .description('Order Service of a warehouse management system: HTTP edge and Kafka command processor')
  .version(version)
  .showHelpAfterError('(run `order-service --help` for the commands)')
  .showSuggestionAfterError();

program
  .command('edge')
  .description('run the HTTP edge: API v1 on PORT, OpenAPI UI at /docs, /health, /ready, /metrics')
  .addHelpText('after', variablesHelp(['edge']))
  .action(() => importServiceModule('src/edge/main'));

program
  .command('processor')
  .description('run one processor replica (consumer group PROCESSOR_GROUP_ID); ops port PROCESSOR_PORT with /health, /ready, /metrics')
  .addHelpText('after', variablesHelp(['processor']))
  .action(() => importServiceModule('src/processor/main'));

program
  .command('all')
  .description('run the edge and one processor as child processes; Ctrl-C/SIGTERM stops both, one dying stops the other')
  .addHelpText('after', variablesHelp(['edge', 'processor']))
  .action(async () => {
    const loaded = supervisedConfigOrExit(config, process.env);
    const urls = serviceUrls(loaded);
    const services = startEdgeAndProcessor(process.env, loaded);
    if (await services.ready) {
      process.stdout.write(`order-service ready: edge ${urls.edge}, processor ${urls.processor}. Ctrl-C stops both.\n`);
    }
    process.exitCode = await services.exited;
  });

// Operator tools plug in here: each one whose module exists becomes a subcommand that
// hands its arguments to the module's run function and exits with what it returns.
const tools = [
  { name: 'dlq', module: 'src/tools/dlq', run: 'runDlqCli', description: 'inspect and replay dead letters (wms.orders.commands.dlq)' },
  { name: 'rebuild', module: 'src/tools/rebuild', run: 'runRebuildCli', description: 'rebuild the orders database from the events topic (docs/runbook-rebuild.md)' },
  { name: 'verify', module: 'src/tools/verify', run: 'runVerifyCli', description: 'compare a database with the events topic or another database; exit 1 on any difference' },
];
for (const tool of tools.filter((t) => moduleSource(t.module))) {
  program
    .command(tool.name)
    .description(tool.description)
    .helpOption(false)
    .allowUnknownOption()
    .allowExcessArguments()
    .action(async (_options, command) => {
      const code = await (await importServiceModule(tool.module))[tool.run](command.args);
      if (typeof code === 'number') process.exitCode = code;
    });
}

await program.parseAsync();
