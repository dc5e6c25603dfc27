/**
 * The web client against the server, on both halves of the HTTP contract:
 * - paths and methods: every endpoint of web/src/api/endpoints.ts exists in /api/openapi.json with that
 *   method (pending endpoints, contracts still being built in parallel, are listed while undeclared);
 * - response shapes: the shapes of src/api-contract (which the server's handlers are typed with and the web
 *   re-exports) have the same keys as the server modules' own result types (checked by `tsc`, below), and
 *   live responses of the GET routes carry every key the contract requires and none it does not declare.
 *
 * The key lists are written against the contract types through `shape<T>()`, whose type demands exactly
 * T's keys, each marked required or optional as T declares it; so the lists cannot drift from the contract.
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/server/index.ts';
import type { meBody } from '../../src/server/session-routes.ts';
import type { AnomalyParty as ServerAnomalyParty } from '../../src/server/anomaly-parties.ts';
import { ingestFile } from '../../src/ingest/index.ts';
import { localOperatorScope } from '../../src/query/index.ts';
import { resolveParties } from '../../src/parties/index.ts';
import { runAnalysis } from '../../src/detect/index.ts';
import type * as Explore from '../../src/explore/index.ts';
import type * as Detect from '../../src/detect/index.ts';
import type * as Measures from '../../src/measures/index.ts';
import type * as Screening from '../../src/screening/index.ts';
import type * as Parties from '../../src/parties/index.ts';
import type * as Decisions from '../../src/decisions/index.ts';
import type * as Accounts from '../../src/accounts/index.ts';
import type * as Audit from '../../src/audit/index.ts';
import type * as Reports from '../../src/reports/index.ts';
import type * as Privacy from '../../src/privacy/index.ts';
import type { AuditRecord } from '../../src/control/audit-log.ts';
import type { BatchRecord } from '../../src/control/batch-registry.ts';
import type { BatchFx } from '../../src/fx/index.ts';
import type * as C from '../../src/api-contract/index.ts';
import { signIn, type TestClient } from '../signed-in.ts';
import { canonicalLine, CANONICAL_HEADER, tempRuntime, type TempRuntime } from '../temp-runtime.ts';
import { ENDPOINTS } from '../../web/src/api/endpoints.ts';

let t: TempRuntime;
let app: FastifyInstance;
let doc: { paths: Record<string, Record<string, unknown>> };
let investigator: TestClient;
let auditor: TestClient;

const PAY_HEADER = 'payment_id,date,amount,currency,payer_name,payer_id,payer_country,payee_name,payee_id,payee_country,instrument,invoice_ref';

/** Ten lines of one good, the last priced far above the rest by its own pair of parties; one payment. */
async function load(tr: TempRuntime): Promise<void> {
  const deps = { store: tr.rt.store, registry: tr.rt.registry };
  const lines = [10, 11, 12, 13, 14, 15, 16, 17, 18, 100].map((p, i) =>
    canonicalLine({
      declaration_id: `IM${i}`,
      value: p * 10,
      invoice_ref: `INV-${i}`,
      ...(i === 9 ? { importer_id: 'IMP9', importer_name: 'Outlier Imports Inc', exporter_id: 'EXP9', exporter_name: 'Faraway Exports Ltd' } : {}),
    }),
  );
  await ingestFile(deps, tr.file('d.csv', `${CANONICAL_HEADER}\n${lines.join('\n')}\n`), { profile: 'canonical', category: 'trade', provider: 'US', loadedBy: 'test' });
  const pay = ['P1', '2024-03-20', 5000, 'USD', 'Shell Payer Ltd', 'PAY1', 'US', 'Island Payee Corp', 'PAYEE1', 'CN', 'wire', 'INV-9'].join(',');
  await ingestFile(deps, tr.file('p.csv', `${PAY_HEADER}\n${pay}\n`), { profile: 'canonical', category: 'financial', provider: 'US', loadedBy: 'test' });
  await resolveParties(tr.rt.store, localOperatorScope(), []);
  await runAnalysis(tr.rt.store, localOperatorScope(), {});
}

beforeAll(async () => {
  t = await tempRuntime();
  await load(t);
  app = buildApp(t.rt);
  await app.ready();
  const res = await app.inject({ method: 'GET', url: '/api/openapi.json' });
  expect(res.statusCode).toBe(200);
  doc = res.json();
  investigator = await signIn(app, t.rt, 'investigator');
  auditor = await signIn(app, t.rt, 'auditor');
}, 240_000);
afterAll(async () => {
  await app?.close();
  await t?.cleanup();
});

const oaPath = (p: string) => p.replace(/:([a-zA-Z_]+)/g, '{$1}');

describe('web API client against /api/openapi.json', () => {
  it('calls only paths and methods the server declares', () => {
    const missing: string[] = [];
    const notYet: string[] = [];
    for (const [name, ep] of Object.entries(ENDPOINTS)) {
      const path = doc.paths[oaPath(ep.path)];
      const declared = path?.[ep.method.toLowerCase()] !== undefined;
      if (declared) continue;
      if ('pending' in ep && ep.pending && !path) notYet.push(`${name} ${ep.method} ${ep.path}`);
      else missing.push(`${name} ${ep.method} ${ep.path}`);
    }
    expect(missing).toEqual([]);
    // Pending endpoints the server does not declare yet: the app treats their 404 as "not on this server".
    expect(notYet.every((s) => /parties|decisions/.test(s))).toBe(true);
  });

  it('covers every data endpoint the pages need', () => {
    for (const p of [
      '/api/explore', '/api/lines', '/api/anomalies/{id}', '/api/measures/query', '/api/screen', '/api/me', '/api/session',
      '/api/export/explore', '/api/export/lines', '/api/reports', '/api/reports/{id}/run', '/api/reports/{id}/export', '/api/disclosures', '/api/accounts/approvals',
    ]) {
      expect(Object.values(ENDPOINTS).some((e) => oaPath(e.path) === p), p).toBe(true);
    }
  });

  it('declares the query parameters the anomalies page sends', () => {
    const params = ((doc.paths['/api/anomalies']?.['get'] as { parameters?: { name: string; in: string }[] } | undefined)?.parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name);
    expect(params).toEqual(expect.arrayContaining(['run', 'detector', 'min_score', 'country', 'hs', 'party', 'period', 'limit']));
  });
});

/** True when S and C have the same keys; otherwise names the keys only one side has (shown by `tsc`). */
type KeysMatch<S, C> = [Exclude<keyof S, keyof C>, Exclude<keyof C, keyof S>] extends [never, never]
  ? true
  : { serverOnly: Exclude<keyof S, keyof C>; contractOnly: Exclude<keyof C, keyof S> };
const sameKeys = <S, C>(ok: KeysMatch<S, C>) => ok === true;

type Server<F extends (...a: never[]) => unknown> = Awaited<ReturnType<F>>;

describe('src/api-contract against the server modules\' result types', () => {
  it('declares the same keys as each server type it mirrors (a mismatch fails tsc -p .)', () => {
    const checks = [
      sameKeys<Explore.ExploreResult, C.ExploreResult>(true),
      sameKeys<Explore.LinesResult, C.LinesResult>(true),
      sameKeys<BatchRecord & { fx: BatchFx | null }, C.Batch>(true),
      sameKeys<Detect.Anomaly, C.Anomaly>(true),
      sameKeys<ServerAnomalyParty, C.AnomalyParty>(true),
      sameKeys<Detect.AnomalyPage, C.AnomalyPage>(true),
      sameKeys<Detect.RankedLine, C.RankedLine>(true),
      sameKeys<Detect.RankingPage, C.RankingPage>(true),
      sameKeys<Detect.RunRecord, C.RunRecord>(true),
      sameKeys<Detect.RunComparison, C.RunComparison>(true),
      sameKeys<Detect.DetectorComparison, C.DetectorComparison>(true),
      sameKeys<Measures.MeasuresResult, C.MeasuresResult>(true),
      sameKeys<Measures.Ranking, C.MeasureRanking>(true),
      sameKeys<Reports.SavedReport, C.SavedReport>(true),
      sameKeys<Reports.ReportRun, C.ReportRun>(true),
      sameKeys<Reports.ReportTableData, C.ReportTable>(true),
      sameKeys<Reports.TableColumn, C.ReportColumn>(true),
      sameKeys<Reports.ReportQuery, C.ReportQuery>(true),
      sameKeys<Screening.ScreenResponse, C.ScreenResponse>(true),
      sameKeys<Screening.ScreenResult, C.ScreenResult>(true),
      sameKeys<Screening.CompareResult, C.CompareResult>(true),
      sameKeys<Screening.Explanation, C.Explanation>(true),
      sameKeys<Parties.PartySummary, C.PartySummary>(true),
      sameKeys<Parties.PartyProfile, C.PartyProfile>(true),
      sameKeys<Parties.PartyGraph, C.PartyGraph>(true),
      sameKeys<Parties.GraphNode, C.GraphNode>(true),
      sameKeys<Parties.GraphEdge, C.GraphEdge>(true),
      sameKeys<Parties.PartyPath, C.PartyPath>(true),
      sameKeys<Parties.ResolutionJob, C.ResolutionJob>(true),
      sameKeys<Parties.ResolutionResult, C.ResolutionResult>(true),
      sameKeys<Parties.PartyOverride, C.PartyOverride>(true),
      sameKeys<Decisions.Decision, C.Decision>(true),
      sameKeys<Accounts.Account, C.Account>(true),
      sameKeys<Accounts.QuotaUsage, C.QuotaUsage>(true),
      sameKeys<Accounts.AccountQuotaUsage, C.AccountQuota>(true),
      sameKeys<Server<typeof meBody>, C.Session>(true),
      sameKeys<AuditRecord, C.AuditEvent>(true),
      sameKeys<Audit.AuditVerifyReport, C.AuditVerifyReport>(true),
      sameKeys<Audit.Disclosure, C.Disclosure>(true),
      sameKeys<Privacy.DataRegister, C.DataRegister>(true),
      sameKeys<Privacy.RegisterEntry, C.RegisterEntry>(true),
      sameKeys<Privacy.TransparencyReport, C.TransparencyReport>(true),
      sameKeys<Privacy.TransparencyPeriod, C.TransparencyPeriod>(true),
      sameKeys<Privacy.RetentionPolicy, C.RetentionPolicy>(true),
      sameKeys<Privacy.LegalHold, C.LegalHold>(true),
      sameKeys<Privacy.PurgeReport, C.PurgeReport>(true),
      sameKeys<Privacy.PurgeDatasetReport, C.PurgeDatasetReport>(true),
      sameKeys<Privacy.PurgeRecord, C.PurgeRecord>(true),
    ];
    expect(checks.every(Boolean)).toBe(true);
  });
});

/** Each key of T, marked as T declares it; the parameter type admits exactly T's keys. */
type Shape<T> = { [K in keyof T]-?: object extends Pick<T, K> ? 'optional' : 'required' };
const shape = <T>(s: Shape<T>): Record<string, 'optional' | 'required'> => s;

/** The keys of a live body that the contract lacks, and the required keys the body lacks. */
function keyGaps(body: unknown, s: Record<string, 'optional' | 'required'>): { undeclared: string[]; missing: string[] } {
  const got = Object.keys((body ?? {}) as object);
  return {
    undeclared: got.filter((k) => !(k in s)).sort(),
    missing: Object.entries(s).filter(([k, m]) => m === 'required' && !got.includes(k)).map(([k]) => k).sort(),
  };
}

const NO_GAPS = { undeclared: [], missing: [] };
const PAGE = { total: 'required', offset: 'required', limit: 'required', truncated: 'required', next_offset: 'required' } as const;

describe('live GET responses against src/api-contract', () => {
  async function json(c: TestClient, url: string): Promise<any> {
    const r = await c.get(url);
    expect(r.statusCode, url).toBe(200);
    return r.json();
  }
  const check = (label: string, body: unknown, s: Record<string, 'optional' | 'required'>) => expect(keyGaps(body, s), label).toEqual(NO_GAPS);

  it('session, catalogue, explore, lines, batches and measures', async () => {
    check('/api/session/settings', await json(investigator, '/api/session/settings'), shape<C.SessionSettings>({ requirePurpose: 'required' }));
    const me = await json(investigator, '/api/me');
    check('/api/me', me, shape<C.Session>({ user: 'required', permissions: 'required', scope: 'required', csrfToken: 'required', requiresPurpose: 'required', purpose: 'required', policyVersion: 'required', quota: 'required', session: 'required', source: 'required' }));
    check('/api/me user', me.user, shape<C.Session['user']>({ name: 'required', displayName: 'required', role: 'required', provider: 'required', agency: 'required' }));
    check('/api/me quota', me.quota, shape<C.QuotaUsage>({ rows: 'required', bytes: 'required', limitRows: 'required', limitBytes: 'required', since: 'required' }));
    check('/api/me grant', me.scope.grants[0], shape<C.ScopeGrant>({ category: 'required', providers: 'required', level: 'required' }));

    const cat = await json(investigator, '/api/catalogue');
    check('/api/catalogue trade', cat.trade, shape<C.CatalogueDataset>({ level: 'required', dimensions: 'required', measures: 'required', fields: 'required' }));

    const ex = await json(investigator, '/api/explore?by=origin&measure=value');
    check('/api/explore', ex, shape<C.ExploreResult>({ dataset: 'required', columns: 'required', notes: 'required', rows: 'required', totals: 'required', total_groups: 'required', suppressed_cells: 'optional', perturbation: 'optional', offset: 'required', limit: 'required', truncated: 'required', next_offset: 'required' }));
    check('/api/explore column', ex.columns[1], shape<C.ExploreColumn>({ id: 'required', label: 'required', kind: 'required', unit: 'optional' }));

    const ln = await json(investigator, `/api/lines?cell=${encodeURIComponent('{"origin":"CN"}')}&limit=5`);
    check('/api/lines', ln, shape<C.LinesResult>({ dataset: 'required', columns: 'required', rows: 'required', ...PAGE }));
    expect(ln.rows.length).toBeGreaterThan(0);

    const batches = await json(investigator, '/api/batches');
    check('/api/batches', batches[0], shape<C.Batch>({
      seq: 'required', batch_id: 'required', dataset: 'required', category: 'required', provider: 'required', profile: 'required', file_name: 'required', sha256: 'required', size_bytes: 'required',
      loaded_by: 'required', started_at: 'required', finished_at: 'required', status: 'required', rows_read: 'required', rows_accepted: 'required', rows_rejected: 'required', rejects_kept: 'required',
      superseded_rows: 'required', message: 'required', fx: 'required',
    }));

    const ms = await json(investigator, '/api/measures');
    check('/api/measures', ms, shape<C.MeasuresCatalogue>({ measures: 'required', rankings: 'required', missing: 'required' }));
    check('/api/measures measure', ms.measures[0], shape<C.MeasureInfo>({ id: 'required', name: 'required', unit: 'required', source: 'required', categories: 'required', default_by: 'required' }));
    check('/api/measures/query', await json(investigator, `/api/measures/query?measure=${ms.measures[0].id}&by=origin`), shape<C.MeasuresResult>({
      measures: 'required', source: 'required', by: 'required', period: 'required', from: 'required', to: 'required', top: 'required', changes: 'required', coverage: 'required', rows: 'required',
      totals: 'required', level: 'required', suppressed_cells: 'required', perturbation: 'optional',
    }));
  });

  it('runs, anomalies, ranking, parties, graph, path, decisions and screening', async () => {
    const runs = await json(investigator, '/api/runs');
    check('/api/runs', runs[0], shape<C.RunSummary>({ run_id: 'required', started_at: 'required', finished_at: 'required', detectors: 'required', params: 'required', data_version: 'required', principal: 'required', anomalies: 'required', detector_counts: 'required' }));
    const runCmp = await json(investigator, `/api/runs/compare?base=${runs[runs.length - 1].run_id}`);
    check('/api/runs/compare', runCmp, shape<C.RunComparison>({
      base: 'required', run: 'required', base_started_at: 'required', run_started_at: 'required', batches_added: 'required', batches_dropped: 'required', detectors: 'required', totals: 'required',
    }));
    check('/api/runs/compare detector', runCmp.detectors[0], shape<C.DetectorComparison>({
      detector: 'required', in_base: 'required', in_run: 'required', settings_changed: 'required', base: 'required', run: 'required', new: 'required', gone: 'required', changed: 'required', same: 'required',
    }));

    const anomalyShape = { anomaly_id: 'required', run_id: 'required', detector: 'required', detector_version: 'required', params: 'required', provider: 'required', subject: 'required', score: 'required', reason: 'required', evidence: 'required', row_ids: 'required' } as const;
    const page = await json(investigator, '/api/anomalies');
    check('/api/anomalies', page, shape<C.AnomalyPage>({ run_id: 'required', rows: 'required', ...PAGE }));
    check('/api/anomalies row', page.rows[0], shape<C.Anomaly>(anomalyShape));
    const flagged = page.rows.find((a: C.Anomaly) => a.detector === 'price-iqr') ?? page.rows[0];
    const one = await json(investigator, `/api/anomalies/${encodeURIComponent(flagged.anomaly_id)}`);
    check('/api/anomalies/:id', one, shape<C.AnomalyDetail>({ ...anomalyShape, parties: 'required' }));
    expect(one.parties.length).toBeGreaterThan(0);
    check('/api/anomalies/:id party', one.parties[0], shape<C.AnomalyParty>({ party_id: 'required', name: 'required', roles: 'required', rows: 'required', refs: 'required' }));
    const group = await json(investigator, `/api/anomalies/${encodeURIComponent(flagged.anomaly_id)}/group`);
    check('/api/anomalies/:id/group', group, shape<C.ComparisonGroup>({
      anomaly_id: 'required', detector: 'required', definition: 'required', n: 'required', n_at_run: 'required', q1: 'required', median: 'required', q3: 'required', values: 'required', sampled: 'required', where: 'required',
    }));
    check('/api/anomalies/:id/group definition', group.definition, shape<C.ComparisonGroup['definition']>({ hs6: 'required', flow: 'required', unit: 'required', partner: 'required', level: 'required', from: 'required', to: 'required', window_months: 'required' }));
    const links = await json(investigator, `/api/lines/links?rows=${flagged.row_ids.join(',')}`);
    check('/api/lines/links', links, shape<C.LineLinks>({ run_id: 'required', anomalies: 'required', parties: 'required' }));
    check('/api/lines/links anomaly', links.anomalies[0], shape<C.LineLinks['anomalies'][number]>({ row_id: 'required', anomaly_id: 'required', detector: 'required', score: 'required' }));
    check('/api/lines/links party', links.parties[0], shape<C.LineLinks['parties'][number]>({ row_id: 'required', role: 'required', party_id: 'required', name: 'required' }));
    check('/api/reference/names', await json(investigator, '/api/reference/names?kind=hs_sections'), shape<C.ReferenceNames>({ kind: 'required', names: 'required' }));

    const ranking = await json(investigator, '/api/ranking');
    check('/api/ranking', ranking, shape<C.RankingPage>({ run_id: 'required', combination: 'required', rows: 'required', ...PAGE }));
    check('/api/ranking row', ranking.rows[0], shape<C.RankedLine>({ declaration_id: 'required', line_no: 'required', row_id: 'required', score: 'required', detectors: 'required' }));

    const summary = { party_id: 'required', name: 'required', country: 'required', members: 'required', lines: 'required', value_usd: 'required', payments: 'required', payments_usd: 'required', without_usd: 'required' } as const;
    const found = await json(investigator, '/api/parties?q=Outlier');
    check('/api/parties', found[0], shape<C.PartySummary>(summary));
    const other = (await json(investigator, '/api/parties?q=Faraway'))[0];
    const id = found[0].party_id as string;
    const profile = await json(investigator, `/api/parties/${id}`);
    check('/api/parties/:id', profile, shape<C.PartyProfile>({ ...summary, member_records: 'required', totals: 'required', counterparties: 'required', goods_by_period: 'required', anomalies: 'required', watchlist_hits: 'required' }));
    // The server types these rows only as records (src/parties/party-queries.ts): checked here instead.
    check('/api/parties/:id counterparty', profile.counterparties[0], shape<C.PartyCounterparty>({ party_id: 'required', name: 'required', relations: 'required', lines: 'required', value_usd: 'required', payments: 'required', payments_usd: 'required' }));
    check('/api/parties/:id goods', profile.goods_by_period[0], shape<C.PartyGoods>({ role: 'required', period: 'required', hs2: 'required', lines: 'required', value_usd: 'required', lines_without_usd: 'required' }));
    check('/api/parties/:id anomaly', profile.anomalies[0], shape<C.PartyAnomaly>({ anomaly_id: 'required', detector: 'required', score: 'required', reason: 'required', declaration_id: 'required', line_no: 'required' }));

    const graph = await json(investigator, `/api/parties/${id}/graph`);
    check('/api/parties/:id/graph', graph, shape<C.PartyGraph>({ center: 'required', depth: 'required', cap: 'required', nodes: 'required', edges: 'required', truncated: 'required' }));
    check('/api/parties/:id/graph node', graph.nodes[0], shape<C.GraphNode>({ id: 'required', kind: 'required', name: 'required', depth: 'required', count: 'optional' }));
    check('/api/parties/:id/graph edge', graph.edges[0], shape<C.GraphEdge>({ source: 'required', target: 'required', kinds: 'required', lines: 'required', value: 'required' }));
    check('/api/path', await json(investigator, `/api/path?from=${id}&to=${other.party_id}`), shape<C.PartyPath>({ from: 'required', to: 'required', max_hops: 'required', found: 'required', hops: 'required', parties: 'required', steps: 'required' }));

    const decisionShape = shape<C.Decision>({
      id: 'required', subject_kind: 'required', subject_id: 'required', party_id: 'required', list_id: 'required', entry_id: 'required', entry_fingerprint: 'required', decision: 'required', note: 'required',
      decided_by: 'required', decided_at: 'required', supersedes: 'required',
    });
    const decided = await investigator.post('/api/decisions', { anomaly: flagged.anomaly_id, decision: 'escalate' });
    expect(decided.statusCode).toBe(201);
    check('POST /api/decisions', decided.json(), decisionShape);
    check('/api/decisions', (await json(investigator, `/api/decisions?anomaly=${encodeURIComponent(flagged.anomaly_id)}`))[0], decisionShape);

    check('/api/screen', await json(investigator, '/api/screen?name=Outlier%20Imports'), shape<C.ScreenResponse>({ algorithm_version: 'required', threshold: 'required', list_versions: 'required', candidates_scored: 'required', results: 'required' }));
    const stored = await json(investigator, `/api/parties/${id}`);
    const hit = (stored.watchlist_hits ?? [])[0] as { list: string; entry_id: string } | undefined;
    if (hit) {
      const entryHits = await json(investigator, `/api/watchlist-hits?entry=${encodeURIComponent(`${hit.list}:${hit.entry_id}`)}`);
      check('/api/watchlist-hits', entryHits, shape<C.EntryHits>({ hits: 'required' }));
      check('/api/watchlist-hits hit', entryHits.hits[0], shape<C.EntryHits['hits'][number]>({ list: 'required', entry_id: 'required', hit_id: 'required', party_id: 'required', party_name: 'required', score: 'required', status: 'required', decision: 'required' }));
    }
    const cmp = await json(investigator, '/api/screen/compare?a=Outlier%20Imports%20Inc&b=Outlier%20Import%20Incorporated');
    check('/api/screen/compare', cmp, shape<C.CompareResult>({ name_a: 'required', name_b: 'required', score: 'required', match: 'required', threshold: 'required', algorithm_version: 'required', explanation: 'required' }));
    check('/api/screen/compare explanation', cmp.explanation, shape<C.ScreenExplanation>({
      name_similarity: 'required', token_pairs: 'required', phonetic_agreement: 'required', coverage_shorter: 'required', coverage_both: 'required', joined_form: 'required', type: 'required',
      country: 'required', identifiers: 'required', penalties: 'required',
    }));
  });

  it('reports, accounts, audit, verification and disclosures', async () => {
    const saved = await investigator.post('/api/reports', { name: 'contract-check', title: 'Contract check', spec: { measures: ['import-value'], by: ['origin'] } });
    expect(saved.statusCode).toBe(200);
    const reportShape = shape<C.SavedReport>({
      id: 'required', name: 'required', title: 'required', spec: 'required', layout: 'required', schedule: 'required', formats: 'required', next_run_at: 'required', created_by: 'required', created_at: 'required', updated_at: 'required',
    });
    check('POST /api/reports', saved.json(), reportShape);
    const list = await json(investigator, '/api/reports');
    check('/api/reports', list, shape<C.ReportList>({ reports: 'required' }));
    check('/api/reports report', list.reports[0], reportShape);
    const run = await json(investigator, `/api/reports/${list.reports[0].id}/run`);
    check('/api/reports/:id/run', run, shape<C.ReportRunResult>({ report: 'required', result: 'required', table: 'required' }));
    check('/api/reports/:id/run table', run.table, shape<C.ReportTable>({ title: 'required', subtitle: 'required', columns: 'required', rows: 'required', total: 'required', notes: 'required' }));
    const runs = await json(investigator, `/api/reports/${list.reports[0].id}/runs`);
    check('/api/reports/:id/runs', runs.runs[0], shape<C.ReportRun>({ id: 'required', report_id: 'required', ran_at: 'required', ran_by: 'required', trigger: 'required', period_label: 'required', status: 'required', row_count: 'required', files: 'required', message: 'required' }));

    const accounts = await json(auditor, '/api/accounts');
    check('/api/accounts', accounts[0], shape<C.Account>({
      id: 'required', name: 'required', displayName: 'required', agency: 'required', supervisor: 'required', role: 'required', provider: 'required', justification: 'required', status: 'required',
      lockReason: 'required', failedSignIns: 'required', requestedAt: 'required', approvedBy: 'required', approvedAt: 'required', activatedBy: 'required', activatedAt: 'required',
      trainingAttestedAt: 'required', reviewDueAt: 'required', quotaResetAt: 'required',
    }));
    const quotas = await json(auditor, '/api/accounts/quotas');
    check('/api/accounts/quotas', quotas[0], shape<C.AccountQuota>({
      id: 'required', name: 'required', displayName: 'required', role: 'required', status: 'required', lockedByQuota: 'required', rows: 'required', bytes: 'required', limitRows: 'required',
      limitBytes: 'required', since: 'required',
    }));
    const audit = await json(auditor, '/api/audit?limit=5');
    check('/api/audit', audit, shape<C.AuditPage>({ total: 'required', limit: 'required', offset: 'required', rows: 'required' }));
    check('/api/audit row', audit.rows[0], shape<C.AuditEvent>({
      id: 'required', at: 'required', event: 'required', principal: 'required', role: 'required', source: 'required', client: 'required', purpose: 'required', objectIds: 'required', rowCount: 'required',
      outcome: 'required', detail: 'required', prevHash: 'required', hash: 'required',
    }));
    check('/api/audit/verify', await json(auditor, '/api/audit/verify'), shape<C.AuditVerifyReport>({
      intact: 'required', records: 'required', firstId: 'required', head: 'required', firstBad: 'required', problems: 'required', checkpoints: 'required', afterLastCheckpoint: 'required', checked: 'required', cannotDetect: 'required',
    }));
    // The lines drill-down above is a disclosure only when exported; export one so the ledger has a row.
    expect((await investigator.get('/api/export/explore?by=origin&measure=value')).statusCode).toBe(200);
    const ledger = await json(auditor, '/api/disclosures');
    check('/api/disclosures', ledger, shape<C.DisclosurePage>({ total: 'required', limit: 'required', offset: 'required', rows: 'required' }));
    check('/api/disclosures row', ledger.rows[0], shape<C.Disclosure>({
      id: 'required', at: 'required', principal: 'required', nature: 'required', purpose: 'required', recipient: 'required', agreement: 'required', rowCount: 'required', bytes: 'required', auditEventId: 'required', retainUntil: 'required',
    }));
    const register = await json(auditor, '/api/register');
    check('/api/register', register, shape<C.DataRegister>({ generatedAt: 'required', policyVersion: 'required', entries: 'required' }));
    check('/api/register entry', register.entries[0], shape<C.RegisterEntry>({
      source: 'required', destination: 'required', fullName: 'required', classification: 'required', sharingType: 'required', owner: 'required', informationProvided: 'required', reference: 'required',
      category: 'required', provider: 'required', direction: 'required', access: 'required', retention: 'required', records: 'required', firstAt: 'required', lastAt: 'required',
    }));
    const counts = {
      events: 'required', signIns: 'required', failedSignIns: 'required', queries: 'required', exports: 'required', disclosures: 'required', disclosedRows: 'required', screenings: 'required', confirmedMatches: 'required',
      decisions: 'required', analyses: 'required', loads: 'required', accountChanges: 'required', denials: 'required', errors: 'required', locks: 'required', unlocks: 'required', purges: 'required', purgedRows: 'required', other: 'required',
    } as const;
    const transparency = await json(auditor, '/api/transparency');
    check('/api/transparency', transparency, shape<C.TransparencyReport>({ grain: 'required', from: 'required', to: 'required', generatedAt: 'required', periods: 'required', totals: 'required' }));
    check('/api/transparency period', transparency.periods[0], shape<C.TransparencyPeriod>({ ...counts, period: 'required', complete: 'required', activeUsers: 'required' }));
    check('/api/transparency totals', transparency.totals, shape<C.TransparencyCounts>(counts));
    const retention = await json(auditor, '/api/retention');
    check('/api/retention', retention, shape<C.RetentionView>({ policies: 'required', holds: 'required', purges: 'required' }));
    check('/api/retention policy', retention.policies[0], shape<C.RetentionPolicy>({ category: 'required', years: 'required', basis: 'required', setBy: 'required', setAt: 'required', reason: 'required' }));
    const preview = await json(auditor, '/api/retention/preview');
    check('/api/retention/preview', preview, shape<C.PurgeReport>({ asOf: 'required', dryRun: 'required', rowsRemoved: 'required', datasets: 'required', derived: 'required', activeHolds: 'required', purgeId: 'required' }));
    check('/api/retention/preview dataset', preview.datasets[0], shape<C.PurgeDatasetReport>({
      dataset: 'required', category: 'required', years: 'required', basis: 'required', cutoff: 'required', rowsRemoved: 'required', rowsHeld: 'required', batches: 'required', batchesEmptied: 'required',
    }));

  });
});
