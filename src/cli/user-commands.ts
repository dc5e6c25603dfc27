/**
 * users create-master | add | list | unlock: account administration by the custodian of the data directory
 * (whoever can open its files). Everything else about accounts — requests, approvals, activations — goes
 * through the signed-in API, where the policies apply.
 *
 * Passwords are read without echo from the terminal (twice), or as the first line of standard input with
 * --password-stdin; they never appear in arguments (which other local users can read from the process list).
 */
import type { Command } from 'commander';
import { createInterface } from 'node:readline';
import { audited } from '../runtime/index.ts';
import { ROLES } from '../access/index.ts';
import { action, UsageError, withControlRuntime } from './run-command.ts';
import { printJsonLines, renderTable } from './output.ts';

const CLI_CONTEXT = { principal: process.env['USER'] ?? 'local-operator', source: 'cli' };

async function readStdinLine(): Promise<string> {
  const rl = createInterface({ input: process.stdin, terminal: false });
  for await (const line of rl) {
    rl.close();
    return line;
  }
  throw new UsageError('--password-stdin: standard input was empty; pipe the password as the first line');
}

async function promptHidden(question: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const stdin = process.stdin;
    process.stderr.write(question);
    let value = '';
    stdin.setRawMode(true);
    stdin.resume();
    stdin.setEncoding('utf8');
    const onData = (ch: string) => {
      for (const c of ch) {
        if (c === '\r' || c === '\n') {
          stdin.setRawMode(false);
          stdin.pause();
          stdin.off('data', onData);
          process.stderr.write('\n');
          resolve(value);
          return;
        }
        if (c === '\u0003') {
          stdin.setRawMode(false);
          reject(new UsageError('cancelled'));
          return;
        }
        value = c === '\u007f' ? value.slice(0, -1) : value + c;
      }
    };
    stdin.on('data', onData);
  });
}

async function readNewPassword(o: { passwordStdin?: boolean }): Promise<string> {
  if (o.passwordStdin) return readStdinLine();
  if (!process.stdin.isTTY) throw new UsageError('no terminal to ask for the password: pipe it with --password-stdin');
  const a = await promptHidden('new password: ');
  const b = await promptHidden('again: ');
  if (a !== b) throw new UsageError('the two passwords differ; run the command again');
  return a;
}

export function registerUserCommands(program: Command): void {
  const users = program.command('users').description('accounts: bootstrap the master administrator, add, list and unlock users');

  users
    .command('create-master')
    .description('create the first master administrator (refused once one exists)')
    .argument('<name>', 'account name (lower-case letters, digits, . _ -)')
    .option('--display-name <text>', 'full name shown in the app')
    .option('--password-stdin', 'read the password from the first line of standard input')
    .option('--data <dir>', 'data directory (default ./data or PARALLAX_DATA)')
    .action(
      action(async (name: string, o: { displayName?: string; passwordStdin?: boolean; data?: string }) => {
        const password = await readNewPassword(o);
        await withControlRuntime(o, async (rt) => {
          const a = await audited(rt.audit, CLI_CONTEXT, 'account-create', 'role=master-administrator', () => rt.access.accounts.createMaster({ name, displayName: o.displayName ?? name, password }), (x) => ({ objectIds: [x.name] }));
          process.stdout.write(`master administrator ${a.name} created; sign in with \`parallax serve\` and create administrators from the app or with \`parallax users add\`\n`);
        });
      }),
    );

  users
    .command('add')
    .description('create an active account directly (custodian of the data directory)')
    .argument('<name>', 'account name')
    .requiredOption('--role <role>', `one of ${ROLES.filter((r) => r !== 'master-administrator').join(', ')}`)
    .option('--provider <code>', 'provider tag the account is tied to (required for partner-analyst), e.g. MX')
    .option('--display-name <text>', 'full name shown in the app')
    .option('--agency <text>', 'agency or organisation')
    .option('--password-stdin', 'read the password from the first line of standard input')
    .option('--data <dir>', 'data directory (default ./data or PARALLAX_DATA)')
    .option('--json', 'print the account as JSON')
    .action(
      action(async (name: string, o: { role: string; provider?: string; displayName?: string; agency?: string; passwordStdin?: boolean; data?: string; json?: boolean }) => {
        if (o.role === 'master-administrator') throw new UsageError('--role master-administrator: use `parallax users create-master`');
        if (!(ROLES as readonly string[]).includes(o.role)) throw new UsageError(`--role must be one of ${ROLES.join(', ')}`);
        const password = await readNewPassword(o);
        await withControlRuntime(o, async (rt) => {
          const a = await audited(
            rt.audit,
            CLI_CONTEXT,
            'account-create',
            `role=${o.role}`,
            () => rt.access.accounts.add({ name, role: o.role, provider: o.provider ?? null, displayName: o.displayName, agency: o.agency, password, by: CLI_CONTEXT.principal }),
            (x) => ({ objectIds: [x.name] }),
          );
          if (o.json) printJsonLines([a]);
          else process.stdout.write(`account ${a.name} (${a.role}${a.provider ? `, provider ${a.provider}` : ''}) is active; review due ${a.reviewDueAt?.slice(0, 10)}\n`);
        });
      }),
    );

  users
    .command('list')
    .description('accounts with role, status and recertification dates')
    .option('--status <status>', 'only accounts in this status (requested, approved, active, suspended, locked, rejected)')
    .option('--data <dir>', 'data directory (default ./data or PARALLAX_DATA)')
    .option('--json', 'one JSON object per account')
    .action(
      action(async (o: { status?: string; data?: string; json?: boolean }) => {
        await withControlRuntime(o, async (rt) => {
          const rows = await audited(rt.audit, CLI_CONTEXT, 'view-accounts', null, () => rt.access.accounts.list(o.status ? { status: o.status as never } : {}), (r) => ({ rowCount: r.length }));
          if (o.json) printJsonLines(rows);
          else {
            const view = rows.map((a) => ({ name: a.name, role: a.role, provider: a.provider, status: a.status, reason: a.lockReason, supervisor: a.supervisor, review_due: a.reviewDueAt?.slice(0, 10) ?? null }));
            process.stdout.write(`${renderTable(['name', 'role', 'provider', 'status', 'reason', 'supervisor', 'review_due'], view)}\n`);
          }
        });
      }),
    );

  users
    .command('unlock')
    .description('unlock a locked account (failed sign-ins or download quota) with a written reason')
    .argument('<name>', 'account name')
    .requiredOption('--reason <text>', 'why the account is unlocked (kept in the audit trail)')
    .option('--data <dir>', 'data directory (default ./data or PARALLAX_DATA)')
    .action(
      action(async (name: string, o: { reason: string; data?: string }) => {
        await withControlRuntime(o, async (rt) => {
          const a = await rt.access.accounts.get(name);
          if (!a) throw new UsageError(`no account named ${name}; see \`parallax users list\``);
          await audited(rt.audit, CLI_CONTEXT, 'unlock', `reason: ${o.reason.replace(/\s+/g, ' ').slice(0, 300)}`, () => rt.access.accounts.unlock(a.id, { name: CLI_CONTEXT.principal, permissions: new Set() }, o.reason), (x) => ({ objectIds: [x.name] }));
          process.stdout.write(`account ${name} unlocked; failed sign-ins and the download quota window are reset\n`);
        });
      }),
    );
}
