/**
 * screen, screen compare: screening a name against the loaded watch lists, and comparing names.
 *
 * `--json`, `--data` and `--type` are options of `screen` and apply to its subcommand too (commander gives
 * an option the parent defines to the parent, wherever it is written). Every action is audited; reads
 * go through the scoped query layer. Audit details never contain the names screened: they are personal
 * data, so a detail says which options were given, not what was looked for. Human tables show list text
 * with control characters made visible, so a name cannot drive the terminal.
 *
 * `--id TYPE:VALUE` (repeatable) adds identifiers to the query; a name may then be left out, and the
 * screen finds entries by identifier alone. Bad `--id` values are usage errors naming the option and the
 * type, never the value; audit details count identifiers and name their types, never their values.
 */
import type { Command } from 'commander';
import { audited } from '../runtime/index.ts';
import { scopedDb } from '../query/index.ts';
import { WatchlistLookupError } from '../watchlists/index.ts';
import { compareNames, DEFAULT_THRESHOLD, IDENTIFIER_TYPES, IdentifierInputError, MAX_LIMIT, parseIdentifierArgs, readPairsFile, SCREEN_TYPES, screenName, type QueryIdentifier, type ScreenType } from '../screening/index.ts';
import { action, UsageError, withRuntime, cliContext } from './run-command.ts';
import { screenAllCommand } from './screen-all-command.ts';
import { printJsonLines, renderTable } from './output.ts';

const CLI_CONTEXT = cliContext();

interface Shared {
  data?: string;
  json?: boolean;
  type?: string;
}

function printable(v: unknown): string {
  const s = v === null || v === undefined ? '' : String(v);
  return s.replace(/\p{Cc}/gu, '\uFFFD');
}

const collect = (v: string, prev: string[] = []) => [...prev, v];

function identifiers(args: string[] | undefined, option: string): QueryIdentifier[] {
  try {
    return parseIdentifierArgs(args, option);
  } catch (e) {
    if (e instanceof IdentifierInputError) throw new UsageError(e.message);
    throw e;
  }
}

/** For audit details: how many identifiers of which types, never their values. */
const idDetail = (ids: readonly QueryIdentifier[]) => (ids.length ? ` ids=${[...new Set(ids.map((i) => i.type))].sort().join('+')}` : '');

function screenType(t: string | undefined): ScreenType | undefined {
  if (t === undefined) return undefined;
  if (!(SCREEN_TYPES as readonly string[]).includes(t)) throw new UsageError(`--type must be one of ${SCREEN_TYPES.join(', ')}`);
  return t as ScreenType;
}

export function registerScreenCommands(program: Command): void {
  const screen = program
    .command('screen')
    .description(`screen a name against the latest version of every watch list (match at score >= ${DEFAULT_THRESHOLD})`)
    .argument('[name]', 'the name to screen (person, company, vessel or aircraft); may be left out when --id is given')
    .option('--data <dir>', 'data directory (default ./data or PARALLAX_DATA)')
    .option('--json', 'JSON lines: one object per candidate or compared pair')
    .option('--type <type>', `what the name is: ${SCREEN_TYPES.join(', ')}`)
    .option('--country <cc>', 'ISO 3166 alpha-2 country the name is linked to')
    .option('--id <type:value>', `an identifier of the screened party, repeatable; an exact match is strong evidence (types: ${IDENTIFIER_TYPES.join(', ')})`, collect)
    .option('--list-version <id>', 'screen one list version instead of the latest of every list')
    .option('--limit <n>', `candidates shown (1 to ${MAX_LIMIT})`, '10')
    .option('--all', 'batch: resolve the stored parties and screen every party name (re-screens only what a new list version changed)')
    .option('--list <version>', 'with --all: screen against this list version instead of the latest of every list')
    .option('--full', 'with --all: re-screen everything even when an incremental re-screen is possible')
    .configureHelp({ showGlobalOptions: true })
    .action(
      action(async (name: string | undefined, o: Shared & { country?: string; id?: string[]; listVersion?: string; limit: string; all?: boolean; list?: string; full?: boolean }) => {
        if (o.all) {
          if (name !== undefined || o.id?.length) throw new UsageError('give either a name (and --id) or --all, not both');
          return screenAllCommand(o);
        }
        const ids = identifiers(o.id, '--id');
        if (!name?.trim() && !ids.length) throw new UsageError('give a name to screen, an --id TYPE:VALUE, or both: parallax screen "NAME" [--type person|company|vessel|aircraft] [--id imo:9187629]');
        const type = screenType(o.type);
        const limit = Number(o.limit);
        if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) throw new UsageError(`--limit takes a whole number from 1 to ${MAX_LIMIT}`);
        if (o.country !== undefined && !/^[A-Za-z]{2}$/.test(o.country)) throw new UsageError('--country takes an ISO 3166 alpha-2 code, e.g. --country IR');
        await withRuntime(o, async (rt) => {
          const db = scopedDb(rt.store, rt.operatorScope);
          const r = await audited(
            rt.audit,
            CLI_CONTEXT,
            'screen-name',
            `type=${type ?? 'any'} country=${o.country ? 'given' : 'none'} version=${o.listVersion ?? 'latest'}${idDetail(ids)}`,
            async () => {
              try {
                return await screenName(db, name ?? '', { type, country: o.country?.toUpperCase(), identifiers: ids, listVersion: o.listVersion, limit });
              } catch (e) {
                if (e instanceof WatchlistLookupError) throw new UsageError(e.message);
                throw e;
              }
            },
            (x) => ({ rowCount: x.results.length, objectIds: x.list_versions }),
          );
          if (o.json) return printJsonLines(r.results);
          if (!r.list_versions.length) return void process.stdout.write('no list versions loaded: load one with parallax lists load FILE --format ...\n');
          if (!r.results.length) return void process.stdout.write(`no candidates in ${r.list_versions.join(', ')} (${r.algorithm_version})\n`);
          const view = r.results.map((x) => ({
            score: x.score.toFixed(3),
            match: x.match ? 'MATCH' : '',
            list: x.list,
            version: x.list_version,
            entry_id: printable(x.entry_id),
            type: x.entry_type,
            name: printable(x.entry_name),
            matched_name: printable(x.matched_name) + (x.weak_alias ? ' (weak a.k.a.)' : ''),
            identifier: printable(x.explanation.identifiers.matched_ids.map((i) => `${i.type} ${i.value}`).join('; ')),
          }));
          const cols = ['score', 'match', 'list', 'version', 'entry_id', 'type', 'name', 'matched_name', ...(ids.length ? ['identifier'] : [])];
          process.stdout.write(`${renderTable(cols, view)}\n`);
          process.stdout.write(`threshold ${r.threshold}, ${r.algorithm_version}; --json shows the explanation of each score\n`);
        });
      }),
    );

  screen
    .command('compare')
    .description('compare two names (or every pair of a CSV file with columns name_a,name_b and optionally type)')
    .argument('[name_a]', 'first name')
    .argument('[name_b]', 'second name')
    .option('--pairs <file>', 'CSV file of pairs: name_a,name_b[,type]; prints one result per pair in input order')
    .option('--id-a <type:value>', 'an identifier of NAME_A, repeatable (compared exactly with --id-b)', collect)
    .option('--id-b <type:value>', 'an identifier of NAME_B, repeatable', collect)
    .action(
      action(async (a: string | undefined, b: string | undefined, own: { pairs?: string; idA?: string[]; idB?: string[] }, cmd: Command) => {
        const o = { ...own, ...(cmd.optsWithGlobals() as Shared & { id?: string[] }) };
        const type = screenType(o.type);
        if (o.id?.length) throw new UsageError('screen compare takes --id-a and --id-b (the identifiers of each name), not --id');
        const idsA = identifiers(o.idA, '--id-a');
        const idsB = identifiers(o.idB, '--id-b');
        if (o.pairs !== undefined && (idsA.length || idsB.length)) throw new UsageError('--id-a and --id-b compare two names; they do not apply to --pairs');
        if (o.pairs !== undefined && (a !== undefined || b !== undefined)) throw new UsageError('give either two names or --pairs FILE, not both');
        if (o.pairs === undefined && (!a?.trim() || !b?.trim())) throw new UsageError('give two names: parallax screen compare "NAME A" "NAME B", or --pairs FILE.csv');
        await withRuntime(o, async (rt) => {
          if (o.pairs !== undefined) {
            const file = o.pairs;
            const results = await audited(
              rt.audit,
              CLI_CONTEXT,
              'screen-compare-pairs',
              `type=${type ?? 'per-row'}`,
              async () => (await readPairsFile(file)).map((p) => compareNames(p.name_a, p.name_b, { type: p.type ?? type })),
              (x) => ({ rowCount: x.length }),
            );
            if (o.json) return printJsonLines(results.map((r) => ({ name_a: r.name_a, name_b: r.name_b, score: r.score, match: r.match })));
            const view = results.map((r) => ({ score: r.score.toFixed(3), match: r.match ? 'MATCH' : '', name_a: printable(r.name_a), name_b: printable(r.name_b) }));
            process.stdout.write(`${renderTable(['score', 'match', 'name_a', 'name_b'], view)}\n`);
            return;
          }
          const r = await audited(rt.audit, CLI_CONTEXT, 'screen-compare', `type=${type ?? 'any'}${idDetail([...idsA, ...idsB])}`, async () => compareNames(a!, b!, { type, identifiersA: idsA, identifiersB: idsB }), () => ({
            rowCount: 1,
          }));
          if (o.json) return printJsonLines([r]);
          process.stdout.write(`${r.score.toFixed(3)} ${r.match ? 'MATCH' : 'no match'} (threshold ${r.threshold}, ${r.algorithm_version})\n`);
          const e = r.explanation;
          process.stdout.write(
            `name similarity ${e.name_similarity}; pairs: ${e.token_pairs.map((p) => `${printable(p.a)}~${printable(p.b)} ${p.similarity} (${p.how})`).join(', ') || 'none'}\n`,
          );
          if (e.identifiers.matched_ids.length) {
            process.stdout.write(`identifiers matched: ${printable(e.identifiers.matched_ids.map((i) => `${i.type} ${i.value}`).join('; '))} (score at least ${e.identifiers.floor})\n`);
          }
        });
      }),
    );
}
