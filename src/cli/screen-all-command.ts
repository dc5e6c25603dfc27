/**
 * `screen --all`: resolve the stored parties (applying analysts' overrides), then batch-screen every party
 * name against the latest version of every list (or `--list VERSION`). Audited as one action; the detail
 * names versions and modes, never a name.
 */
import { audited, type Runtime } from '../runtime/index.ts';
import type { Scope } from '../query/index.ts';
import { partyOverrides, resolveParties } from '../parties/index.ts';
import { screenAll } from '../screening/index.ts';
import { decisionStore, hitDecisions } from '../decisions/index.ts';
import { WatchlistLookupError } from '../watchlists/index.ts';
import { UsageError, withRuntime, cliContext } from './run-command.ts';
import { printJsonLines, renderTable } from './output.ts';

const CLI_CONTEXT = cliContext();

/** Resolves the parties (with the analysts' kept merges and splits), then screens them all: `screen --all` and the demo. */
export async function resolveAndScreen(rt: Runtime, scope: Scope, opts: { listVersion?: string | undefined; full?: boolean | undefined }) {
  const resolution = await resolveParties(rt.store, scope, await partyOverrides(rt.control).list());
  try {
    const screening = await screenAll(rt.store, scope, hitDecisions(decisionStore(rt.control)), opts);
    return { resolution, screening };
  } catch (e) {
    if (e instanceof WatchlistLookupError) throw new UsageError(e.message);
    throw e;
  }
}

export async function screenAllCommand(o: { data?: string; json?: boolean; list?: string; full?: boolean }): Promise<void> {
  if (o.list !== undefined && !/^LV[0-9]{6,}$/.test(o.list)) throw new UsageError('--list takes a list version id such as LV000002 (see parallax lists)');
  await withRuntime(o, async (rt) => {
    const scope = rt.operatorScope;
    const r = await audited(
      rt.audit,
      CLI_CONTEXT,
      'screen-all',
      `list=${o.list ?? 'latest'} full=${o.full ? 'yes' : 'no'}`,
      () => resolveAndScreen(rt, scope, { listVersion: o.list, full: o.full }),
      (x) => ({ rowCount: x.screening.lists.reduce((a, l) => a + l.hits_open, 0), objectIds: [x.resolution.resolution_id, x.screening.run_id, ...x.screening.lists.map((l) => l.list_version)] }),
    );
    if (o.json) return printJsonLines(r.screening.lists.map((l) => ({ ...l, resolution: r.resolution })));
    const p = r.resolution;
    process.stdout.write(`resolved ${p.records.toLocaleString('en-US')} party records into ${p.parties.toLocaleString('en-US')} parties (${p.resolution_id}, ${p.seconds} s)\n`);
    if (!r.screening.lists.length) return void process.stdout.write('no list versions loaded: load one with parallax lists load FILE --format ...\n');
    process.stdout.write(
      `${renderTable(
        ['list', 'list_version', 'mode', 'entries_screened', 'subjects', 'candidates', 'hits_open', 'hits_new', 'hits_retired', 'hits_suppressed', 'seconds'],
        r.screening.lists,
      )}\n`,
    );
    process.stdout.write(`run ${r.screening.run_id}, threshold ${r.screening.threshold}, ${r.screening.algorithm_version}; hits: parallax parties show PARTY\n`);
  });
}
