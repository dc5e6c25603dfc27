/**
 * lists, lists load, lists show, lists diff: watch-list versions from the command line.
 *
 * `--json` and `--data` are options of `lists` and apply to every subcommand. Every action is audited; reads go through the scoped query layer. Audit details name versions and
 * formats only: a search text may be a person's name, so it is recorded as given or not, never quoted.
 * Human tables show list text with control characters made visible, so a name cannot drive the terminal.
 */
import type { Command } from 'commander';
import { audited } from '../runtime/index.ts';
import { scopedDb } from '../query/index.ts';
import {
  diffVersions,
  getVersion,
  isListFormat,
  LIST_FORMATS,
  listVersions,
  loadList,
  showEntries,
  WatchlistLookupError,
  type ListVersion,
} from '../watchlists/index.ts';
import { action, UsageError, withRuntime, cliContext } from './run-command.ts';
import { printJsonLines, renderTable } from './output.ts';

const CLI_CONTEXT = cliContext();

/** Options of `lists` that every subcommand shares. */
interface Shared {
  data?: string;
  json?: boolean;
}

/** Control characters (C0, DEL, C1) as a visible mark: list text is data, never terminal commands. */
function printable(v: unknown): string {
  const s = Array.isArray(v) ? v.join('; ') : v === null || v === undefined ? '' : String(v);
  return s.replace(/\p{Cc}/gu, '\uFFFD');
}

function wholeNumber(s: string, name: string, min: number): number {
  const n = Number(s);
  if (!Number.isInteger(n) || n < min) throw new UsageError(`${name} takes a whole number${min > 0 ? ` of at least ${min}` : ''}`);
  return n;
}

function describeVersion(v: ListVersion): string {
  const head = `${v.version_id}  ${v.list_id} (${v.format}): ${v.record_count.toLocaleString('en-US')} entries, published ${v.publish_date ?? 'on an unknown date'}, sha256 ${v.sha256.slice(0, 12)}`;
  if (v.duplicate) return `${head}\n         ${v.message ?? 'already loaded; nothing was changed'}\n`;
  return `${head}\n${v.notes.map((n) => `         note: ${n}\n`).join('')}`;
}

/** Unknown versions and versions of two lists are usage errors: the user named the wrong version. */
async function asUsage<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof WatchlistLookupError) throw new UsageError(e.message);
    throw e;
  }
}

export function registerListCommands(program: Command): void {
  const lists = program
    .command('lists')
    .description('watch lists: load list versions, list them, show entries, compare two versions')
    // --data and --json belong to `lists` alone and its subcommands read them from here: commander gives
    // an option the parent also defines to the parent, wherever it is written.
    .option('--data <dir>', 'data directory (default ./data or PARALLAX_DATA)')
    .option('--json', 'JSON lines: one object per list version, entry or difference')
    .configureHelp({ showGlobalOptions: true })
    .action(
      action(async (o: Shared) => {
        await withRuntime(o, async (rt) => {
          const db = scopedDb(rt.store, rt.operatorScope);
          const rows = await audited(rt.audit, CLI_CONTEXT, 'view-watchlists', null, () => listVersions(db), (r) => ({ rowCount: r.length }));
          if (o.json) return printJsonLines(rows);
          if (!rows.length) return void process.stdout.write('no list versions yet: load one with parallax lists load FILE --format ofac-csv|ofac-xml|un-xml|ftm|csv\n');
          const view = rows.map((v) => ({ ...v, publisher: printable(v.publisher), sha256: v.sha256.slice(0, 12) }));
          process.stdout.write(`${renderTable(['version_id', 'list_id', 'format', 'publisher', 'publish_date', 'record_count', 'sha256', 'loaded_at'], view)}\n`);
        });
      }),
    );

  lists
    .command('load')
    .description('load a watch list file (or an OFAC CSV set: sdn.csv with alt.csv, add.csv, sdn_comments.csv, or their folder) as one list version')
    .argument('<files...>', 'the list file; for ofac-csv the files of one publication or their folder')
    .requiredOption('--format <format>', `list format: ${LIST_FORMATS.join(', ')}`)
    .option('--publisher <name>', 'who publishes the list (defaults per format, e.g. US Treasury OFAC)')
    .option('--publish-date <date>', 'publication date YYYY-MM-DD, used when the file does not state one')
    .option('--list-id <id>', 'list id, overriding the one the format implies (us-ofac-sdn, un-sc-consolidated, opensanctions)')
    .action(
      action(async (files: string[], own: { format: string; publisher?: string; publishDate?: string; listId?: string }, cmd: Command) => {
        const o = { ...own, ...(cmd.optsWithGlobals() as Shared) };
        if (!isListFormat(o.format)) throw new UsageError(`--format must be one of ${LIST_FORMATS.join(', ')}`);
        if (o.publishDate !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(o.publishDate)) throw new UsageError('--publish-date takes a date written YYYY-MM-DD');
        await withRuntime(o, async (rt) => {
          const v = await audited(
            rt.audit,
            CLI_CONTEXT,
            'watchlist-load',
            `format=${o.format} files=${files.length}`,
            () =>
              loadList({ store: rt.store }, files, {
                format: o.format,
                publisher: o.publisher,
                publishDate: o.publishDate,
                listId: o.listId,
                loadedBy: CLI_CONTEXT.principal,
              }),
            (x) => ({ rowCount: x.duplicate ? 0 : x.record_count, objectIds: [x.version_id] }),
          );
          if (o.json) return printJsonLines([v]);
          process.stdout.write(describeVersion(v));
        });
      }),
    );

  lists
    .command('show')
    .description('show the entries of a list version, optionally searched by name, alias, entry id or identifier')
    .argument('<version>', 'list version id, e.g. LV000001')
    .option('--search <text>', 'name or alias (normalised: case, accents and punctuation ignored), entry id or identifier value')
    .option('--limit <n>', 'entries per page', '50')
    .option('--offset <n>', 'entries to skip', '0')
    .action(
      action(async (versionId: string, own: { search?: string; limit: string; offset: string }, cmd: Command) => {
        const o = { ...own, ...(cmd.optsWithGlobals() as Shared) };
        const limit = wholeNumber(o.limit, '--limit', 1);
        const offset = wholeNumber(o.offset, '--offset', 0);
        await withRuntime(o, async (rt) => {
          const db = scopedDb(rt.store, rt.operatorScope);
          const page = await asUsage(() =>
            audited(
              rt.audit,
              CLI_CONTEXT,
              'view-watchlist-entries',
              `version=${versionId} search=${o.search ? 'given' : 'none'}`,
              async () => {
                if (!(await getVersion(db, versionId))) throw new WatchlistLookupError(`no list version ${versionId}: list them with parallax lists`);
                return showEntries(db, versionId, { search: o.search, limit, offset });
              },
              (p) => ({ rowCount: p.entries.length, objectIds: [versionId] }),
            ),
          );
          if (o.json) return printJsonLines(page.entries.map((e) => ({ version_id: versionId, ...e })));
          const view = page.entries.map((e) => ({
            entry_id: printable(e.entry_id),
            entry_type: e.entry_type,
            name: printable(e.name),
            aliases: e.aliases.length,
            countries: printable(e.countries),
            programs: printable(e.programs),
            identifiers: printable(e.identifiers.map((i) => `${i.type}:${i.value}`)),
          }));
          process.stdout.write(`${renderTable(['entry_id', 'entry_type', 'name', 'aliases', 'countries', 'programs', 'identifiers'], view)}\n`);
          const end = page.offset + page.entries.length;
          process.stdout.write(
            `${page.total ? `entries ${page.offset + 1}–${end} of ${page.total.toLocaleString('en-US')}` : 'no entries match'}${page.next_offset !== null ? `; next page: --offset ${page.next_offset}` : ''}\n`,
          );
        });
      }),
    );

  lists
    .command('diff')
    .description('compare two versions of a list: entries added, removed and changed (by the list\'s entry id)')
    .argument('<a>', 'the earlier version id')
    .argument('<b>', 'the later version id')
    .option('--limit <n>', 'differences shown in the table (--json prints all)', '50')
    .action(
      action(async (a: string, b: string, own: { limit: string }, cmd: Command) => {
        const o = { ...own, ...(cmd.optsWithGlobals() as Shared) };
        const limit = wholeNumber(o.limit, '--limit', 1);
        await withRuntime(o, async (rt) => {
          const db = scopedDb(rt.store, rt.operatorScope);
          const d = await asUsage(() =>
            audited(rt.audit, CLI_CONTEXT, 'watchlist-diff', `a=${a} b=${b}`, () => diffVersions(db, a, b), (x) => ({ rowCount: x.items.length, objectIds: [a, b] })),
          );
          const { items, ...summary } = d;
          if (o.json) {
            printJsonLines([{ kind: 'summary', ...summary }]);
            printJsonLines(items.map((i) => ({ kind: 'entry', ...i })));
            return;
          }
          const n = (x: number) => x.toLocaleString('en-US');
          process.stdout.write(
            `${d.list_id} ${a} -> ${b}: ${n(d.added)} added, ${n(d.removed)} removed, ${n(d.changed)} changed, ${n(d.unchanged)} unchanged\n` +
              `compared: ${d.compared_fields.join(', ')}\n` +
              (d.skipped_fields.length ? `not compared (not carried by both versions): ${d.skipped_fields.join(', ')}\n` : '') +
              (d.changed ? `changed fields: ${Object.entries(d.changed_by_field).map(([f, c]) => `${f} ${n(c)}`).join(', ')}\n` : ''),
          );
          if (!items.length) return;
          const view = items.slice(0, limit).map((i) => ({ change: i.change, entry_id: printable(i.entry_id), entry_type: i.entry_type, name: printable(i.name), fields: i.fields.join(', ') }));
          process.stdout.write(`${renderTable(['change', 'entry_id', 'entry_type', 'name', 'fields'], view)}\n`);
          if (items.length > view.length) process.stdout.write(`showing ${n(view.length)} of ${n(items.length)} differences; --limit ${n(items.length)} or --json for all\n`);
        });
      }),
    );
}
