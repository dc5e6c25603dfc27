/**
 * KRW and USD loaded together, as a user would: the Korea Customs files (KRW) and a generated canonical file
 * (USD) through the `parallax` command, then every total the CLI prints and the HTTP API serves to the web
 * app (Explore totals, the dashboards' import value by month, report totals, top lines) checked against a
 * hand computation: each KCS line converted with the South Korea rate of its month read straight from the
 * shipped H.10 CSV, the generated lines summed as they are. Amounts in each line's own currency are refused
 * where currencies meet. Skips when ../shared/data is absent.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { openRuntime, type Runtime } from '../src/runtime/index.ts';
import { buildApp } from '../src/server/index.ts';
import { signIn } from './signed-in.ts';
import { exactSum, h10Rate, toUsd } from './fx-rates.ts';

const SHARED = resolve('../shared/data');
const present = existsSync(join(SHARED, 'customs/kcs-synthetic/train.csv'));
const BIN = resolve('bin/parallax.js');
let dir: string;
let data: string;

function cli(...args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', env: { ...process.env, PARALLAX_DATA: data }, maxBuffer: 64 << 20 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}
const jsonLines = (out: string) => out.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, any>);

/** Comma-separated text with double-quoted fields, as the generator writes it. */
function parseCsv(text: string): Record<string, string>[] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') (cell += '"'), i++;
      else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') row.push(cell), (cell = '');
    else if (ch === '\n') row.push(cell), rows.push(row), (row = []), (cell = '');
    else if (ch !== '\r') cell += ch;
  }
  if (cell || row.length) row.push(cell), rows.push(row);
  const [head, ...body] = rows;
  return body.map((r) => Object.fromEntries(head!.map((h, i) => [h, r[i] ?? ''])));
}

interface HandLine {
  provider: 'KR' | 'US';
  id: string;
  month: string;
  flow: string;
  usd: number;
}
const hand: HandLine[] = [];
const sumOf = (xs: HandLine[]) => exactSum(xs.map((x) => x.usd));

describe.skipIf(!present)('KRW (Korea Customs) and USD (generated) together: every total in USD, by hand', () => {
  let rt: Runtime | undefined;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'parallax-show-'));
    data = join(dir, 'data');
    const gen = cli('generate', '--rows', '3000', '--seed', '23', '--out', join(dir, 'gen'), '--json');
    expect(gen.code, gen.err).toBe(0);
    for (const f of ['train.csv', 'valid.csv']) {
      const r = cli('ingest', join(SHARED, 'customs/kcs-synthetic', f), '--profile', 'kcs', '--category', 'trade', '--provider', 'KR', '--json');
      expect(r.code, r.err).toBe(0);
      expect(JSON.parse(r.out)).toMatchObject({ rows_rejected: 0, rows_without_usd: 0 });
      for (const l of readFileSync(join(SHARED, 'customs/kcs-synthetic', f), 'utf8').trim().split('\n').slice(1)) {
        const c = l.split(',');
        hand.push({ provider: 'KR', id: c[0]!, month: c[1]!.slice(0, 7), flow: 'import', usd: toUsd(Number(c[19]), h10Rate('South Korea', c[1]!)!) });
      }
    }
    const decl = join(dir, 'gen', 'declarations.csv');
    const us = cli('ingest', decl, '--profile', 'canonical', '--category', 'trade', '--provider', 'US', '--json');
    expect(us.code, us.err).toBe(0);
    const usRows = parseCsv(readFileSync(decl, 'utf8'));
    expect(JSON.parse(us.out)).toMatchObject({ rows_accepted: usRows.length, rows_without_usd: 0 });
    for (const r of usRows) {
      expect(r['currency'] || 'USD').toBe('USD');
      hand.push({ provider: 'US', id: r['declaration_id']!, month: r['date']!.slice(0, 7), flow: r['flow']!, usd: Number(r['value']) });
    }
  }, 300_000);
  afterAll(async () => {
    await rt?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('explore by provider and year: value_usd to the cent, nothing left out; the declared value refused', () => {
    const r = cli('explore', '--by', 'provider,year', '--measure', 'value_usd,lines', '--json', '--top', '100', '--sort', 'provider:asc,year:asc');
    expect(r.code, r.err).toBe(0);
    const got = jsonLines(r.out);
    const keys = [...new Set(hand.map((h) => `${h.provider}|${h.month.slice(0, 4)}`))].sort();
    expect(got.map((g) => `${g['provider']}|${g['year']}`)).toEqual(keys);
    for (const g of got) {
      const xs = hand.filter((h) => h.provider === g['provider'] && h.month.startsWith(String(g['year'])));
      expect(g['value_usd']).toBe(sumOf(xs));
      expect(g).toMatchObject({ lines: xs.length, lines_without_usd: 0 });
    }
    const human = cli('explore', '--by', 'provider', '--measure', 'value_usd');
    const total = sumOf(hand);
    console.log(`Show: KR ${sumOf(hand.filter((h) => h.provider === 'KR')).toFixed(2)} USD over ${hand.filter((h) => h.provider === 'KR').length} lines; US ${sumOf(hand.filter((h) => h.provider === 'US')).toFixed(2)} USD over ${hand.filter((h) => h.provider === 'US').length} lines; total ${total.toFixed(2)} USD`);
    expect(human.out).toMatch(/TOTAL/);
    // Goods chapters traded by both providers hold KRW and USD lines: their declared values are not added.
    const refused = cli('explore', '--by', 'hs2', '--measure', 'value');
    expect(refused.code).toBe(2);
    expect(refused.err).toMatch(/value adds amounts in each row's own currency, and [0-9]+ group\(s\) hold rows in 2 currencies \(KRW, USD\): use value_usd/);
    // Each provider is in one currency: shown per provider, with no total across them, and a note saying so.
    const byProvider = cli('explore', '--by', 'provider', '--measure', 'value');
    expect(byProvider.code, byProvider.err).toBe(0);
    expect(byProvider.out).toMatch(/note: value: each group is in one currency, but the groups are in 2 \(KRW, USD\), so there is no total/);
    const perCurrency = jsonLines(cli('explore', '--by', 'currency', '--measure', 'value', '--json').out);
    expect(perCurrency.map((x) => x['currency']).sort()).toEqual(['KRW', 'USD']);
  });

  it('measures: import value by month (the dashboards\' series) equals the hand sums, and the report total too', () => {
    const r = cli('measures', 'query', '--measure', 'import-value,lines', '--period', 'month', '--json');
    expect(r.code, r.err).toBe(0);
    const got = jsonLines(r.out);
    const months = [...new Set(hand.map((h) => h.month))].sort();
    expect(got.map((g) => g['period'])).toEqual(months);
    for (const g of got) {
      const xs = hand.filter((h) => h.month === g['period']);
      expect(g['import-value']).toBe(sumOf(xs.filter((h) => h.flow === 'import')));
      expect(g['import-value_without_rate']).toBe(0);
    }
    const rep = cli('report', '--measure', 'import-value,export-value', '--by', 'provider', '--json');
    expect(rep.code, rep.err).toBe(0);
    for (const row of jsonLines(rep.out)) {
      const xs = hand.filter((h) => h.provider === row['provider']);
      expect(row['import-value']).toBe(sumOf(xs.filter((h) => h.flow === 'import')));
      expect(row['export-value']).toBe(sumOf(xs.filter((h) => h.flow === 'export')));
    }
  });

  it('lines sorted by value_usd are the largest lines by hand; sorting by the declared value is refused', () => {
    const r = cli('lines', '--sort', '-value_usd', '--limit', '10', '--json');
    expect(r.code, r.err).toBe(0);
    const want = [...hand].sort((a, b) => b.usd - a.usd).slice(0, 10);
    expect(jsonLines(r.out).map((x) => x['value_usd'])).toEqual(want.map((w) => w.usd));
    const refused = cli('lines', '--sort', '-value');
    expect(refused.code).toBe(2);
    expect(refused.err).toMatch(/sorting lines by value compares amounts in 2 currencies \(KRW, USD\): sort by value_usd/);
  });

  it('the HTTP API the web app reads serves the same totals (Explore total, dashboard import value by month)', async () => {
    rt = await openRuntime({ dataDir: data, databaseUrl: '' });
    const app = buildApp(rt);
    const api = await signIn(app, rt, 'investigator');
    const ex = (await api.get('/api/explore?by=provider&measure=value_usd,lines')).json();
    expect(ex.totals).toEqual({ value_usd: sumOf(hand), lines: hand.length, lines_without_usd: 0 });
    expect(ex.notes).toEqual([]);
    const refused = await api.get('/api/explore?by=hs2&measure=value');
    expect(refused.statusCode).toBe(400);
    expect(refused.json().message).toMatch(/use value_usd/);
    const perProvider = (await api.get('/api/explore?by=provider&measure=value')).json();
    expect(perProvider.totals.value).toBeNull();
    expect(perProvider.notes[0]).toMatch(/no total/);
    const dash = (await api.get('/api/measures/query?measure=import-value&period=month')).json();
    expect(dash.measures[0]).toMatchObject({ id: 'import-value', unit: 'USD', without_rate: 'import-value_without_rate' });
    expect(dash.totals['import-value']).toBe(sumOf(hand.filter((h) => h.flow === 'import')));
    const kcsMonth = dash.rows.find((c: Record<string, unknown>) => c['period'] === '2020-06');
    expect(kcsMonth['import-value']).toBe(sumOf(hand.filter((h) => h.month === '2020-06' && h.flow === 'import')));
    const batches = (await api.get('/api/batches')).json() as { profile: string; fx: { rates: string; rows_without_rate: number } | null }[];
    expect(batches.filter((b) => b.profile === 'kcs').map((b) => b.fx)).toEqual([
      expect.objectContaining({ rates: expect.stringMatching(/^FRB-H10:/), rows_without_rate: 0 }),
      expect.objectContaining({ rates: expect.stringMatching(/^FRB-H10:/), rows_without_rate: 0 }),
    ]);
    await app.close();
  });
});
