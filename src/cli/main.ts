/**
 * The `parallax` command line: a thin shell over the same functions the HTTP API calls.
 */
import { Command } from 'commander';
import { registerDataCommands } from './data-commands.ts';
import { registerExploreCommands } from './explore-commands.ts';
import { registerMeasureCommands } from './measure-commands.ts';
import { registerReportCommands } from './report-commands.ts';
import { registerServeCommands } from './serve-commands.ts';
import { registerListCommands } from './list-commands.ts';
import { registerAnalyzeCommands } from './analyze-commands.ts';
import { registerScreenCommands } from './screen-commands.ts';
import { registerPartyCommands } from './party-commands.ts';
import { registerEvaluateCommands } from './evaluate-commands.ts';
import { registerAuditCommands } from './audit-commands.ts';
import { registerUserCommands } from './user-commands.ts';
import { registerPrivacyCommands } from './privacy-commands.ts';
import { action, withRuntime } from './run-command.ts';

// `parallax … --json | head` closes the pipe early; that is the reader's choice, not an error.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(0);
  throw e;
});

const program = new Command();
program
  .name('parallax')
  .description('Trade transparency analysis: load declarations, payments and mirror statistics; explore, detect, screen.')
  .version('0.1.0')
  .showHelpAfterError('(run with --help for usage)');

program
  .command('init')
  .description('create (or upgrade) the data directory: analytical store, control store, reference tables')
  .option('--data <dir>', 'data directory (default ./data or PARALLAX_DATA)')
  .action(
    action(async (o: { data?: string }) => {
      await withRuntime(o, async (rt) => {
        process.stdout.write(`data directory ready: ${rt.dataDir}\n  analytical store: ${rt.store.path}\n  control store:    ${rt.control.location} (${rt.control.engine})\n`);
      });
    }),
  );

registerDataCommands(program);
registerExploreCommands(program);
registerMeasureCommands(program);
registerReportCommands(program);
registerServeCommands(program);
registerListCommands(program);
registerAnalyzeCommands(program);
registerScreenCommands(program);
registerPartyCommands(program);
registerEvaluateCommands(program);
registerAuditCommands(program);

registerUserCommands(program);
registerPrivacyCommands(program);

await program.parseAsync(process.argv);
