// Outside-test finding 3 (medium): a price-iqr anomaly shown to a partner analyst (provider MX) carried n = 53
// and the quartiles of a group holding 42 US lines. The rule: every finding is computed from one provider's
// rows alone (each detector runs once per provider on the scope narrowed to it), and a scope sees a finding
// only when it may read every provider it was computed from.
//
// The test for every detector at once: the same MX file is loaded into a store of its own, and everything the
// partner sees through the real server on the shared store (anomalies with their evidence and reasons, the
// ranking, the run summaries) must equal what an analysis of the MX rows alone gives.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { generateDataset } from '../../src/generate/index.ts';
import { ingestFile } from '../../src/ingest/index.ts';
import { loadList } from '../../src/watchlists/index.ts';
import { listAnomalies, listRanking, runAnalysis, DETECTORS } from '../../src/detect/index.ts';
import { localOperatorScope, scopedDb } from '../../src/query/index.ts';
import { tempRuntime, type TempRuntime } from '../temp-runtime.ts';
import { liveServer, type HttpClient, type LiveServer } from '../live-server.ts';

let shared: TempRuntime;
let alone: TempRuntime;
let s: LiveServer;
let partner: HttpClient;

type Shown = { detector: string; subject: { kind: string; declaration_id: string | null; line_no: number | null }; score: number; reason: string; evidence: Record<string, unknown>; provider: string };

/** What identifies a finding and what it says, without the store-specific row and run ids. */
const said = (a: Shown) => JSON.stringify([a.detector, a.subject.kind, a.subject.declaration_id, a.subject.line_no, a.score, a.reason.replace(/\bR\d{6}\b/g, 'R'), strip(a.evidence)]);
const strip = (e: unknown): unknown =>
  Array.isArray(e)
    ? e.map(strip)
    : e && typeof e === 'object'
      ? Object.fromEntries(Object.entries(e).filter(([k]) => !/row_id|batch|^run/.test(k)).map(([k, v]) => [k, strip(v)]))
      : typeof e === 'number'
        ? Number(e.toPrecision(10)) // sums of doubles may differ in the last bit with the engine's thread order
        : e;

beforeAll(async () => {
  shared = await tempRuntime({ access: { settings: { requestRatePerMinute: 100_000 } } });
  alone = await tempRuntime();
  const us = await generateDataset({ rows: 6000, seed: 11, outDir: join(shared.dir, 'us') });
  const mx = await generateDataset({ rows: 3000, seed: 12, outDir: join(shared.dir, 'mx') });
  const load = (t: TempRuntime, file: string, provider: string, category = 'trade') =>
    ingestFile({ store: t.rt.store, registry: t.rt.registry }, file, { profile: 'canonical', category, provider, loadedBy: 'test' });
  await load(shared, us.files.declarations, 'US');
  await load(shared, us.files.payments, 'US', 'financial');
  await load(shared, mx.files.declarations, 'MX');
  await ingestFile({ store: shared.rt.store, registry: shared.rt.registry }, mx.files.mirror, { profile: 'canonical-mirror', category: 'trade', provider: 'MX', loadedBy: 'test' });
  await ingestFile({ store: shared.rt.store, registry: shared.rt.registry }, us.files.mirror, { profile: 'canonical-mirror', category: 'trade', provider: 'US', loadedBy: 'test' });
  await load(alone, mx.files.declarations, 'MX');
  await ingestFile({ store: alone.rt.store, registry: alone.rt.registry }, mx.files.mirror, { profile: 'canonical-mirror', category: 'trade', provider: 'MX', loadedBy: 'test' });
  for (const t of [shared, alone]) {
    await loadList({ store: t.rt.store }, [us.files.watchlist], { format: 'csv' });
    await runAnalysis(t.rt.store, localOperatorScope('test'), {});
  }
  s = await liveServer(shared.rt);
  partner = await s.signedIn('partner-analyst', { provider: 'MX' });
}, 300_000);
afterAll(async () => {
  await s?.close();
  await shared?.cleanup();
  await alone?.cleanup();
});

describe('a partner analyst sees only statistics computed from data they may read', () => {
  it('every anomaly, its evidence and reason equal those of an analysis of the MX rows alone, for every detector', async () => {
    const seen = (await partner.get('/api/anomalies?limit=10000')).json as { rows: Shown[]; total: number };
    const truth = await listAnomalies(scopedDb(alone.rt.store, localOperatorScope()), { limit: 10_000 });
    expect(seen.rows.every((a) => a.provider === 'MX')).toBe(true);
    expect(seen.total).toBe(truth.total);
    const mine = new Set(seen.rows.map(said));
    const theirs = new Set((truth.rows as Shown[]).map(said));
    expect({ onlyShared: [...mine].filter((x) => !theirs.has(x)), onlyAlone: [...theirs].filter((x) => !mine.has(x)) }).toEqual({ onlyShared: [], onlyAlone: [] });
    // The comparison has teeth: the detectors that show group statistics flagged MX lines.
    const detectors = new Set(seen.rows.map((a) => a.detector));
    for (const d of ['price-iqr', 'price-robust-z', 'value-per-kg']) expect(detectors, d).toContain(d);
    expect(DETECTORS.length).toBeGreaterThan(10);
    // One anomaly through its own route too.
    const one = seen.rows.find((a) => a.detector === 'price-iqr')! as Shown & { anomaly_id: string };
    const detail = (await partner.get(`/api/anomalies/${one.anomaly_id}`)).json as Shown;
    expect(said(detail)).toBe(said(one));
  });

  it('the ranking and the run summaries are the MX-only ones', async () => {
    const ranking = (await partner.get('/api/ranking?limit=10000')).json as { rows: { declaration_id: string | null; line_no: number | null; score: number }[]; total: number };
    const truth = await listRanking(scopedDb(alone.rt.store, localOperatorScope()), { limit: 10_000 });
    const key = (r: { declaration_id: string | null; line_no: number | null; score: number }) => `${r.declaration_id}/${r.line_no}/${r.score}`;
    expect(ranking.rows.map(key).sort()).toEqual(truth.rows.map(key).sort());
    const runs = (await partner.get('/api/runs')).json as { data_version: Record<string, string[]>; anomalies: number }[];
    expect(runs).toHaveLength(1);
    expect(Object.keys(runs[0]!.data_version)).toEqual(['MX']);
    expect(runs[0]!.anomalies).toBe(truth.total === 0 ? 0 : (await listAnomalies(scopedDb(alone.rt.store, localOperatorScope()), { limit: 1 })).total);
  });

  it('a comparison group opened as lines holds at least the lines its statistics count (none of another provider)', async () => {
    const seen = (await partner.get('/api/anomalies?detector=price-iqr&limit=10000')).json as { rows: (Shown & { evidence: Record<string, any> })[] };
    const grouped = seen.rows.filter((x) => x.evidence['group']?.level === 'hs6 x partner x flow').slice(0, 25);
    expect(grouped.length).toBeGreaterThan(3);
    for (const a of grouped) {
      const g = a.evidence['group'];
      const w = a.evidence['window'];
      const where = w ? `date >= '${w.from}' and date <= '${w.to}'` : '';
      // The group's partner is the origin of an import (detect/priced-lines.ts), the partner of an export.
      const cell = JSON.stringify({ hs6: g.hs6, [g.flow === 'import' ? 'origin' : 'partner']: g.partner, flow: g.flow });
      const lines = (await partner.get(`/api/lines?limit=10000&cell=${encodeURIComponent(cell)}&where=${encodeURIComponent(where)}`)).json as { total: number; rows: { provider: string }[] };
      expect(lines.rows.every((l) => l.provider === 'MX')).toBe(true);
      // Before: n counted the other provider's lines too (n = 53 against the partner's 11).
      expect(a.evidence['n'], a.reason).toBeLessThanOrEqual(lines.total);
    }
  });

  it('an investigator who reads every provider still sees cross-provider payment links', async () => {
    const inv = await s.signedIn('investigator');
    const all = (await inv.get('/api/anomalies?limit=10000')).json as { rows: Shown[] };
    expect(new Set(all.rows.map((a) => a.provider))).toEqual(new Set(['US', 'MX']));
    expect(all.rows.some((a) => a.detector === 'payment-mismatch')).toBe(true);
  });
});
