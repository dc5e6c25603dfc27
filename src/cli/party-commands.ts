/**
 * parties (search), parties show|graph|path|resolve|merge|split, and decide: resolved parties, their
 * relationship graph and analysts' decisions from the command line.
 *
 * `--json` and `--data` are options of `parties` and apply to every subcommand. Every action is audited;
 * reads go through the scoped query layer with the local operator's scope. Audit details name party ids,
 * hit and anomaly ids and options, never a searched name or a note. Human output shows data text with control
 * characters made visible, so a name cannot drive the terminal.
 *
 * merge, split and resolve re-resolve in line (the server does it as a background job instead): the CLI
 * user waits by choice, with an elapsed-time line on stderr when it is a terminal (resolution reports no
 * finer progress), so stdout stays clean for --json.
 */
import type { Command } from 'commander';
import { audited } from '../runtime/index.ts';
import { scopedDb } from '../query/index.ts';
import { applyOverride, OverrideLookupError, partyGraph, partyOverrides, partyPath, resolveParties, searchParties, showParty, MAX_CAP, MAX_DEPTH, MAX_HOPS, type OverrideRequest } from '../parties/index.ts';
import { DECISION_KINDS, decisionStore, DecisionLookupError, recordDecision, type DecisionKind } from '../decisions/index.ts';
import { action, UsageError, withRuntime, cliContext } from './run-command.ts';
import { printJsonLines, renderTable } from './output.ts';

const CLI_CONTEXT = cliContext();
const PARTY_ID = /^P[0-9A-F]{12}$/;

interface Shared {
  data?: string;
  json?: boolean;
}

const printable = (v: unknown) => (v === null || v === undefined ? '' : String(v)).replace(/\p{Cc}/gu, '\uFFFD');

function partyId(id: string, what = 'party id'): string {
  if (!PARTY_ID.test(id)) throw new UsageError(`${what} must look like P followed by 12 hex digits (see parallax parties --search TEXT)`);
  return id;
}

function whole(v: string, name: string, min: number, max: number): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max) throw new UsageError(`${name} takes a whole number from ${min} to ${max}`);
  return n;
}

/** "re-resolving parties… 12 s" on a terminal's stderr while `work` runs; nothing when not a terminal. */
async function withElapsed<T>(label: string, work: () => Promise<T>, stream: NodeJS.WriteStream = process.stderr): Promise<T> {
  if (!stream.isTTY) return work();
  const t0 = Date.now();
  const show = () => stream.write(`\r${label}… ${Math.round((Date.now() - t0) / 1000)} s`);
  show();
  const timer = setInterval(show, 1000);
  try {
    return await work();
  } finally {
    clearInterval(timer);
    stream.write('\r\x1b[K');
  }
}

const notFound = (id: string) => new UsageError(`no party ${id} in your scope: search with parallax parties --search TEXT`);

const usd = (x: number) => x.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });

export function registerPartyCommands(program: Command): void {
  const parties = program
    .command('parties')
    .description('resolved parties: search (default), show, graph, path; resolve, merge and split')
    .option('--data <dir>', 'data directory (default ./data or PARALLAX_DATA)')
    .option('--json', 'JSON output')
    .option('--search <text>', 'part of a party name, a party id or a source reference')
    .option('--limit <n>', 'parties listed (1 to 200)', '50')
    .configureHelp({ showGlobalOptions: true })
    .action(
      action(async (o: Shared & { search?: string; limit: string }) => {
        if (!o.search?.trim()) throw new UsageError('give --search TEXT (a name, a party id or a source reference)');
        const limit = whole(o.limit, '--limit', 1, 200);
        await withRuntime(o, async (rt) => {
          const rows = await audited(rt.audit, CLI_CONTEXT, 'parties-search', 'search=given', () => searchParties(scopedDb(rt.store, rt.operatorScope), o.search!, limit), (r) => ({
            rowCount: r.length,
            objectIds: r.map((x) => x.party_id),
          }));
          if (o.json) return printJsonLines(rows);
          process.stdout.write(`${renderTable(['party_id', 'name', 'country', 'members', 'lines', 'value_usd', 'payments', 'payments_usd', 'without_usd'], rows.map((r) => ({ ...r, name: printable(r.name) })))}\n`);
        });
      }),
    );

  const opts = (cmd: Command) => cmd.optsWithGlobals() as Shared;

  parties
    .command('show')
    .description('one party: members and how they were linked, totals, counterparties, goods by quarter, anomalies, watch-list hits')
    .argument('<id>', 'party id')
    .action(
      action(async (id: string, _o: unknown, cmd: Command) => {
        const o = opts(cmd);
        partyId(id);
        await withRuntime(o, async (rt) => {
          const p = await audited(rt.audit, CLI_CONTEXT, 'party-show', null, () => showParty(scopedDb(rt.store, rt.operatorScope), id), (r) => ({ rowCount: r ? 1 : 0, objectIds: [id] }));
          if (!p) throw notFound(id);
          if (o.json) return printJsonLines([p]);
          process.stdout.write(`${p.party_id}  ${printable(p.name)} (${p.country ?? '—'}): ${p.members} member record(s); goods: ${p.lines.toLocaleString('en-US')} lines, ${usd(p.value_usd)} USD; payments: ${p.payments.toLocaleString('en-US')}, ${usd(p.payments_usd)} USD${p.without_usd ? ` (${p.without_usd.toLocaleString('en-US')} without an exchange rate, left out)` : ''}\n\nmembers\n`);
          process.stdout.write(`${renderTable(['source', 'provider', 'ref', 'name', 'country', 'lines', 'link', 'confidence'], p.member_records.map((m) => ({ ...m, ref: printable(m['ref']), name: printable(m['name']) })))}\n\ncounterparties\n`);
          process.stdout.write(`${renderTable(['party_id', 'name', 'relations', 'lines', 'value_usd', 'payments', 'payments_usd'], p.counterparties.map((c) => ({ ...c, name: printable(c['name']) })))}\n`);
          if (p.watchlist_hits?.length) {
            process.stdout.write(`\nwatch-list hits\n${renderTable(['hit_id', 'list', 'list_version', 'entry_id', 'entry_name', 'score', 'status'], p.watchlist_hits.map((h) => ({ ...h, entry_name: printable(h['entry_name']) })))}\n`);
          }
          if (p.anomalies.length) process.stdout.write(`\nanomalies (latest run)\n${renderTable(['anomaly_id', 'detector', 'score', 'declaration_id'], p.anomalies)}\n`);
        });
      }),
    );

  parties
    .command('graph')
    .description('the neighbourhood of a party: trade edges (exporter to importer) and, in scope, payment edges (payer to payee)')
    .argument('<id>', 'party id')
    .option('--depth <n>', `hops (1 to ${MAX_DEPTH})`, '1')
    .option('--cap <n>', `neighbours shown per party, the rest as "+N more" (1 to ${MAX_CAP})`, '25')
    .action(
      action(async (id: string, own: { depth: string; cap: string }, cmd: Command) => {
        const o = opts(cmd);
        partyId(id);
        const depth = whole(own.depth, '--depth', 1, MAX_DEPTH);
        const cap = whole(own.cap, '--cap', 1, MAX_CAP);
        await withRuntime(o, async (rt) => {
          const g = await audited(rt.audit, CLI_CONTEXT, 'party-graph', `depth=${depth} cap=${cap}`, () => partyGraph(scopedDb(rt.store, rt.operatorScope), id, { depth, cap }), (r) => ({
            rowCount: r?.edges.length ?? 0,
            objectIds: [id],
          }));
          if (!g) throw notFound(id);
          if (o.json) return printJsonLines([g]);
          const names = new Map(g.nodes.map((n) => [n.id, printable(n.name ?? n.id)]));
          process.stdout.write(`${renderTable(['from', 'to', 'kinds', 'lines', 'value_usd'], g.edges.map((e) => ({ from: names.get(e.source), to: names.get(e.target), kinds: e.kinds.join(','), lines: e.lines, value_usd: e.value })))}\n`);
          process.stdout.write(`${g.nodes.length} nodes, ${g.edges.length} edges${g.truncated ? ' (hubs capped)' : ''}\n`);
        });
      }),
    );

  parties
    .command('path')
    .description('the shortest chain of trade (and, in scope, payment) relations between two parties')
    .argument('<from>', 'party id')
    .argument('<to>', 'party id')
    .option('--max-hops <n>', `longest chain searched (1 to ${MAX_HOPS})`, '4')
    .action(
      action(async (from: string, to: string, own: { maxHops: string }, cmd: Command) => {
        const o = opts(cmd);
        partyId(from, 'from');
        partyId(to, 'to');
        const maxHops = whole(own.maxHops, '--max-hops', 1, MAX_HOPS);
        await withRuntime(o, async (rt) => {
          const p = await audited(rt.audit, CLI_CONTEXT, 'party-path', `max_hops=${maxHops}`, () => partyPath(scopedDb(rt.store, rt.operatorScope), from, to, maxHops), (r) => ({
            rowCount: r?.hops ?? 0,
            objectIds: [from, to],
          }));
          if (!p) throw new UsageError(`no party ${from} or ${to} in your scope`);
          if (o.json) return printJsonLines([p]);
          if (!p.found) return void process.stdout.write(`no path of at most ${maxHops} hops\n`);
          process.stdout.write(`${p.hops} hop(s): ${p.parties.map((x) => `${x.party_id} ${printable(x.name)}`).join(' → ')}\n`);
        });
      }),
    );

  parties
    .command('resolve')
    .description('re-resolve party records into parties (applies analysts\' merges and splits; screen --all does this too)')
    .action(
      action(async (_o: unknown, cmd: Command) => {
        const o = opts(cmd);
        await withRuntime(o, async (rt) => {
          const r = await audited(rt.audit, CLI_CONTEXT, 'parties-resolve', null, async () => withElapsed('resolving parties', async () => resolveParties(rt.store, rt.operatorScope, await partyOverrides(rt.control).list())), (x) => ({
            rowCount: x.parties,
            objectIds: [x.resolution_id],
          }));
          if (o.json) return printJsonLines([r]);
          process.stdout.write(`${r.resolution_id}: ${r.records.toLocaleString('en-US')} records into ${r.parties.toLocaleString('en-US')} parties; ${r.trade_edges} trade and ${r.payment_edges} payment edges (${r.seconds} s)\n`);
        });
      }),
    );

  /** Records a merge or split and re-resolves (the local operator's scope covers a full resolution). */
  async function override(rt: Parameters<Parameters<typeof withRuntime>[1]>[0], req: OverrideRequest) {
    try {
      return await withElapsed(`recording the ${req.kind} and re-resolving parties`, () => applyOverride({ store: rt.store, control: rt.control }, scopedDb(rt.store, rt.operatorScope), req, CLI_CONTEXT.principal));
    } catch (e) {
      if (e instanceof OverrideLookupError) throw new UsageError(`${e.message}: see parallax parties show ID`);
      throw e;
    }
  }

  parties
    .command('merge')
    .description('record that two parties are one; kept and applied by every later resolution')
    .argument('<a>', 'party id')
    .argument('<b>', 'party id')
    .option('--note <text>', 'why (kept with the decision)')
    .action(
      action(async (a: string, b: string, own: { note?: string }, cmd: Command) => {
        const o = opts(cmd);
        partyId(a, 'a');
        partyId(b, 'b');
        if (a === b) throw new UsageError('give two different parties');
        await withRuntime(o, async (rt) => {
          const r = await audited(rt.audit, CLI_CONTEXT, 'parties-merge', null, () => override(rt, { kind: 'merge', a, b, note: own.note }), () => ({ objectIds: [a, b] }));
          if (o.json) return printJsonLines([r]);
          process.stdout.write(`merge recorded (#${r.override.id}); ${r.resolution ? `re-resolved as ${r.resolution.resolution_id}` : 'applied at the next resolution'}\n`);
        });
      }),
    );

  parties
    .command('split')
    .description('take one member record out of its party; kept and applied by every later resolution')
    .argument('<id>', 'party id')
    .argument('<ref>', 'the member reference (the ref column of parties show)')
    .option('--note <text>', 'why (kept with the decision)')
    .action(
      action(async (id: string, ref: string, own: { note?: string }, cmd: Command) => {
        const o = opts(cmd);
        partyId(id);
        await withRuntime(o, async (rt) => {
          const r = await audited(rt.audit, CLI_CONTEXT, 'parties-split', null, () => override(rt, { kind: 'split', party: id, ref, note: own.note }), () => ({ objectIds: [id] }));
          if (o.json) return printJsonLines([r]);
          process.stdout.write(`split recorded (#${r.override.id}); ${r.resolution ? `re-resolved as ${r.resolution.resolution_id}` : 'applied at the next resolution'}\n`);
        });
      }),
    );

  program
    .command('decide')
    .description('record an analyst decision on a screening hit or an anomaly (kept; a later decision supersedes)')
    .option('--data <dir>', 'data directory (default ./data or PARALLAX_DATA)')
    .option('--json', 'JSON output')
    .option('--hit <id>', 'screening hit id (H + 16 hex digits)')
    .option('--anomaly <id>', 'anomaly id')
    .requiredOption('--decision <kind>', DECISION_KINDS.join(' | '))
    .option('--note <text>', 'reason (kept with the decision)')
    .action(
      action(async (o: Shared & { hit?: string; anomaly?: string; decision: string; note?: string }) => {
        if (!!o.hit === !!o.anomaly) throw new UsageError('give exactly one of --hit ID or --anomaly ID');
        if (!(DECISION_KINDS as readonly string[]).includes(o.decision)) throw new UsageError(`--decision must be one of ${DECISION_KINDS.join(', ')}`);
        if (o.hit !== undefined && !/^H[0-9A-F]{16}$/.test(o.hit)) throw new UsageError('--hit takes a hit id: H followed by 16 hex digits (see parallax parties show)');
        await withRuntime(o, async (rt) => {
          const d = await audited(
            rt.audit,
            CLI_CONTEXT,
            'decide',
            `kind=${o.hit ? 'hit' : 'anomaly'} decision=${o.decision}`,
            async () => {
              try {
                return await recordDecision({ store: rt.store, decisions: decisionStore(rt.control) }, scopedDb(rt.store, rt.operatorScope), { hit: o.hit, anomaly: o.anomaly, decision: o.decision as DecisionKind, note: o.note }, CLI_CONTEXT.principal);
              } catch (e) {
                if (e instanceof DecisionLookupError) throw new UsageError(e.message);
                throw e;
              }
            },
            (x) => ({ rowCount: 1, objectIds: [x.subject_id] }),
          );
          if (o.json) return printJsonLines([d]);
          process.stdout.write(`decision #${d.id}: ${d.decision} on ${d.subject_kind} ${d.subject_id}${d.supersedes ? ` (supersedes #${d.supersedes})` : ''}\n`);
        });
      }),
    );
}
