/**
 * An evaluation generator of declaration lines, written independently of the demo generator (src/generate) so
 * the ranking is measured on data it was never shaped around: other price distributions, other party sizes,
 * other injection logic. It is an evaluation tool (bench/eval.ts), not a product feature.
 *
 * Clean structure (what differs from the demo generator):
 * - Products: `products` hs6 codes, each with a unit (NO, KG, L, M2, PR), a reference price log-uniform over
 *   0.2 .. 20,000 USD, a spread σ_h uniform in 0.10 .. 0.45, a kilograms-per-unit log-uniform 0.001 .. 200
 *   (KG lines weigh their quantity) and 3 .. 14 origins, each with its own price level (σ 0.25 in log space).
 * - Prices: ln p = ln ref + origin level + σ_h · t₅ (Student t with 5 degrees of freedom: heavy tails, so
 *   natural outliers exist, unlike bounded uniform noise), and 1 % of a product's lines are a premium grade at
 *   x1.8 .. x3 (a second mode inside the same hs6 x origin group). Calibrated on real declarations, not on
 *   results: 1 % premium lines and t₅ noise leave about 1.6 % of clean lines beyond a robust z of 3.5, as in the
 *   Korea Customs declarations (673 of 45,082 lines).
 * - Parties: importer and exporter activity log-normal (σ 1.6): a few very large traders and a long tail;
 *   each declaration has 1 .. 6 lines of one importer, one exporter, one origin and one date; foreign
 *   buyers of exports are other firms than foreign suppliers of imports. Every US party
 *   has 1 .. 5 home products it declares 85 % of the time (traders specialise); the rest is any product.
 * - Dates: `months` months from `start`, seasonal (±25 %, peak in the last quarter); 22 % exports.
 * - Routes: 6 % of importer-origin relationships ship through the origin's hub (SG, AE, NL, HK or PA, fixed
 *   per origin).
 *
 * Injected anomalies (labels.csv, the generator's labels format): `anomalyRate` of lines, split equally into
 * three kinds, chosen uniformly among all lines (small groups and premium grades included: no candidate is
 * picked to clear a fence):
 * - over-price: value x f; under-price: value / f, with f log-uniform in 4 .. 25 (quantity and mass kept);
 * - zero-mass: net mass declared 0 with the value and quantity kept (a phantom shipment).
 *
 * Deterministic for the same options (a seeded PRNG, mulberry32; one pass in line order). Rows are produced
 * and written in a single streaming pass; a few hundred thousand lines take seconds.
 */
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { join } from 'node:path';
import { DECLARATION_COLUMNS, LABEL_COLUMNS } from '../../src/generate/write-files.ts';

export interface VariantOptions {
  lines: number;
  seed: number;
  anomalyRate: number;
  /** Declaration ids start with this (two data sets loaded side by side must not share ids). */
  idPrefix: string;
  /** First month, YYYY-MM. */
  start: string;
  months: number;
  products: number;
  /** Share of a product's lines that are a premium grade at x1.8 .. x3 (default 0.01). */
  premiumShare: number;
  /** Degrees of freedom of the Student t price noise (default 5; large = normal). */
  tailDf: number;
}

export const VARIANT_DEFAULTS: VariantOptions = { lines: 100_000, seed: 11, anomalyRate: 0.02, idPrefix: 'V', start: '2023-01', months: 24, products: 400, premiumShare: 0.01, tailDf: 5 };

export interface VariantFiles {
  declarations: string;
  labels: string;
  lines: number;
  anomalies: Record<'over-price' | 'under-price' | 'zero-mass', number>;
}

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const COUNTRIES = ['CN', 'VN', 'IN', 'DE', 'MX', 'TR', 'BR', 'TH', 'ID', 'IT', 'KR', 'JP', 'PL', 'MY', 'BD', 'PK', 'ZA', 'EG', 'CL', 'FR', 'ES', 'NG', 'AR', 'PH', 'CO', 'MA', 'UA', 'KE'];
const HUBS = ['SG', 'AE', 'NL', 'HK', 'PA'];
const UNITS = ['NO', 'KG', 'KG', 'L', 'M2', 'PR'];
const PORTS = ['USLAX', 'USNYC', 'USSAV', 'USHOU', 'USSEA', 'USMIA', 'USORF', 'USCHS'];
const MODES = ['sea', 'sea', 'sea', 'air', 'road', 'rail'];

const csv = (v: string | number | null | undefined) => (v === null || v === undefined ? '' : typeof v === 'number' ? String(v) : /[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);

export async function writeVariant(dir: string, opts: Partial<VariantOptions> = {}): Promise<VariantFiles> {
  const o = { ...VARIANT_DEFAULTS, ...opts };
  const rnd = mulberry32(o.seed * 2654435761);
  const u = (lo: number, hi: number) => lo + (hi - lo) * rnd();
  const logU = (lo: number, hi: number) => Math.exp(u(Math.log(lo), Math.log(hi)));
  const normal = () => Math.sqrt(-2 * Math.log(1 - rnd())) * Math.cos(2 * Math.PI * rnd());
  const t5 = () => {
    if (o.tailDf >= 100) return normal();
    let chi = 0;
    for (let i = 0; i < o.tailDf; i++) chi += normal() ** 2;
    return normal() / Math.sqrt(chi / o.tailDf);
  };
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rnd() * xs.length)]!;

  const products = Array.from({ length: o.products }, (_, i) => {
    const unit = pick(UNITS);
    const origins = Array.from({ length: 3 + Math.floor(rnd() * 12) }, () => ({ country: pick(COUNTRIES), level: 0.25 * normal() }));
    return {
      hs6: String(100000 + ((i * 7919 + o.seed * 31) % 890000)).padStart(6, '0'),
      unit,
      ref: logU(0.2, 20000),
      sigma: u(0.1, 0.45),
      kgPerUnit: unit === 'KG' ? 1 : logU(0.001, 200),
      origins,
      // Popularity of the product: log-normal, so some hs6 codes carry far more lines than others.
      weight: Math.exp(1.2 * normal()),
    };
  });
  const productCum: number[] = [];
  products.reduce((s, p, i) => (productCum[i] = s + p.weight), 0);
  const pickProduct = () => {
    const x = rnd() * productCum.at(-1)!;
    let lo = 0;
    let hi = productCum.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (productCum[mid]! < x) lo = mid + 1;
      else hi = mid;
    }
    return products[lo]!;
  };
  const parties = (n: number, prefix: string) => {
    const w = Array.from({ length: n }, () => Math.exp(1.6 * normal()));
    const cum: number[] = [];
    w.reduce((s, x, i) => (cum[i] = s + x), 0);
    return () => {
      const x = rnd() * cum.at(-1)!;
      let lo = 0;
      let hi = cum.length - 1;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (cum[mid]! < x) lo = mid + 1;
        else hi = mid;
      }
      return `${prefix}${String(lo + 1).padStart(5, '0')}`;
    };
  };
  const importer = parties(Math.max(50, Math.round(o.lines / 40)), `${o.idPrefix}IMP`);
  const exporter = parties(Math.max(80, Math.round(o.lines / 25)), `${o.idPrefix}EXP`);
  // Foreign buyers of US exports are other firms than the foreign suppliers of US imports.
  const buyer = parties(Math.max(60, Math.round(o.lines / 60)), `${o.idPrefix}BUY`);
  const [y0, m0] = o.start.split('-').map(Number) as [number, number];
  const monthWeights = Array.from({ length: o.months }, (_, i) => 1 + 0.25 * Math.sin((2 * Math.PI * (((m0 - 1 + i) % 12) - 6.5)) / 12));
  const monthCum: number[] = [];
  monthWeights.reduce((s, x, i) => (monthCum[i] = s + x), 0);
  const pickDate = () => {
    const x = rnd() * monthCum.at(-1)!;
    const i = monthCum.findIndex((c) => c >= x);
    const mi = m0 - 1 + i;
    const y = y0 + Math.floor(mi / 12);
    const m = (mi % 12) + 1;
    return `${y}-${String(m).padStart(2, '0')}-${String(1 + Math.floor(rnd() * 28)).padStart(2, '0')}`;
  };
  const hash = (text: string) => {
    let h = 2166136261;
    for (const ch of `${text}|${o.seed}`) h = Math.imul(h ^ ch.charCodeAt(0), 16777619) >>> 0;
    return h;
  };
  const hubOf = (imp: string, origin: string) => (hash(`${imp}|${origin}`) % 100 < 6 ? HUBS[hash(origin) % HUBS.length]! : null);
  // Home products of a US party: fixed by its id, drawn by popularity.
  const homes = new Map<string, (typeof products)[number][]>();
  const homeOf = (party: string) => {
    let h = homes.get(party);
    if (!h) {
      h = Array.from({ length: 1 + (hash(party) % 5) }, () => pickProduct());
      homes.set(party, h);
    }
    return h;
  };
  const productFor = (party: string) => (rnd() < 0.85 ? pick(homeOf(party)) : pickProduct());

  // Which line numbers carry an anomaly, and of which kind: a fixed share, spread uniformly.
  const nAnom = Math.round(o.lines * o.anomalyRate);
  const kinds = ['over-price', 'under-price', 'zero-mass'] as const;
  const anomalous = new Map<number, (typeof kinds)[number]>();
  while (anomalous.size < nAnom) {
    const i = Math.floor(rnd() * o.lines);
    if (!anomalous.has(i)) anomalous.set(i, kinds[anomalous.size % 3]!);
  }

  const declFile = join(dir, `${o.idPrefix}-declarations.csv`);
  const labelFile = join(dir, `${o.idPrefix}-labels.csv`);
  const out = createWriteStream(declFile);
  const lab = createWriteStream(labelFile);
  const write = async (s: NodeJS.WritableStream, line: string) => {
    if (!s.write(line)) await once(s, 'drain');
  };
  await write(out, `${DECLARATION_COLUMNS.join(',')}\n`);
  await write(lab, `${LABEL_COLUMNS.join(',')}\n`);
  const counts = { 'over-price': 0, 'under-price': 0, 'zero-mass': 0 };
  let i = 0;
  let d = 0;
  while (i < o.lines) {
    d++;
    const declarationId = `${o.idPrefix}${String(d).padStart(8, '0')}`;
    const flow = rnd() < 0.22 ? 'export' : 'import';
    const imp = importer();
    const exp = flow === 'import' ? exporter() : buyer();
    const date = pickDate();
    const port = pick(PORTS);
    const mode = pick(MODES);
    const nLines = Math.min(o.lines - i, 1 + Math.floor(-Math.log(1 - rnd()) * 1.3) % 6);
    const us = imp; // the US party (importer of imports, exporter of exports)
    const first = productFor(us);
    const og = pick(first.origins);
    for (let ln = 1; ln <= nLines; ln++, i++) {
      const prod = ln === 1 || rnd() < 0.5 ? first : productFor(us);
      const origin = prod === first ? og : pick(prod.origins);
      const premium = rnd() < o.premiumShare ? u(1.8, 3) : 1;
      const price = prod.ref * Math.exp(origin.level + prod.sigma * t5()) * premium;
      const target = Math.max(30, Math.exp(Math.log(6000) + 1.3 * normal()));
      const rawQty = target / price;
      const qty = prod.unit === 'NO' || prod.unit === 'PR' ? Math.max(1, Math.round(rawQty)) : Math.max(0.01, Math.round(rawQty * 100) / 100);
      let mass = prod.unit === 'KG' ? qty : Math.max(0.001, Math.round(qty * prod.kgPerUnit * Math.exp(0.08 * normal()) * 1000) / 1000);
      let value = Math.max(0.01, Math.round(price * qty * 100) / 100);
      const kind = anomalous.get(i);
      let detail = '';
      if (kind) {
        const f = logU(4, 25);
        if (kind === 'over-price') {
          value = Math.round(value * f * 100) / 100;
          detail = `value x${f.toFixed(2)}`;
        } else if (kind === 'under-price') {
          value = Math.max(0.01, Math.round((value / f) * 100) / 100);
          detail = `value /${f.toFixed(2)}`;
        } else {
          mass = 0;
          detail = 'net mass 0 for the declared value';
        }
        counts[kind]++;
        await write(lab, [csv('line'), csv(declarationId), csv(ln), '', '', csv('US'), csv(flow === 'import' ? origin.country : origin.country), csv(prod.hs6), csv(date.slice(0, 7)), csv(kind), csv(detail)].join(',') + '\n');
      }
      const hub = flow === 'import' ? hubOf(imp, origin.country) : null;
      const row = {
        declaration_id: declarationId, line_no: ln, flow, date, reporter: 'US',
        origin_country: flow === 'import' ? origin.country : 'US',
        departure_country: flow === 'import' ? (hub ?? origin.country) : '',
        destination_country: flow === 'export' ? origin.country : '',
        hs_code: prod.hs6, description: '', importer_id: flow === 'import' ? imp : exp, importer_name: '',
        exporter_id: flow === 'import' ? exp : imp, exporter_name: '', manufacturer_name: '', declarant_id: `${o.idPrefix}BRK${(d % 60) + 1}`,
        value: value.toFixed(2), currency: 'USD', valuation_basis: flow === 'import' ? 'CIF' : 'FOB',
        quantity: prod.unit === 'NO' || prod.unit === 'PR' ? String(qty) : qty.toFixed(2), quantity_unit: prod.unit,
        net_mass_kg: mass === 0 ? '0' : mass.toFixed(3), port_code: port, transport_mode: mode, invoice_ref: '', duty_amount: '', tax_rate: '',
        inspected: '', fraud: '', seized: '',
      } as Record<string, string | number>;
      await write(out, DECLARATION_COLUMNS.map((c) => csv(row[c] as string | number)).join(',') + '\n');
    }
  }
  out.end();
  lab.end();
  await Promise.all([once(out, 'finish'), once(lab, 'finish')]);
  return { declarations: declFile, labels: labelFile, lines: o.lines, anomalies: counts };
}
