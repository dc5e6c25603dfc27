/**
 * `npm run eval:screening` (part of `npm run eval`): the screening matcher on a labelled set of name pairs
 * built from the public sanctions lists (bench/eval/screening-pairs.ts), judged at the default threshold on the
 * held-out half, per type (company, vessel, person) and per kind of pair; the tuning half is shown for
 * comparison (it is the only part any threshold or rule was chosen on). Target: F1 >= 0.90 held out. Skips with
 * a message when ../shared/data is absent. Options: --threshold T (judge at another threshold), --part tune|heldout
 * (default both), --errors N (print N misjudged pairs of the tuning part, never of the held-out part).
 */
import { compareNames, DEFAULT_THRESHOLD } from '../src/screening/index.ts';
import { renderTable } from '../src/cli/output.ts';
import { buildScreeningPairs, sourcesPresent, type LabelledPair } from './eval/screening-pairs.ts';

function opt(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const f3 = (x: number) => (Number.isFinite(x) ? x.toFixed(3) : '-');

interface Counts { tp: number; fp: number; fn: number; tn: number }
const prf = (c: Counts) => {
  const p = c.tp / (c.tp + c.fp);
  const r = c.tp / (c.tp + c.fn);
  return { precision: p, recall: r, f1: (2 * p * r) / (p + r) };
};

if (!sourcesPresent()) {
  process.stdout.write('screening evaluation skipped: ../shared/data/sanctions is absent\n');
} else {
  const threshold = opt('threshold') ? Number(opt('threshold')) : DEFAULT_THRESHOLD;
  const pairs = await buildScreeningPairs();
  const judged = pairs.map((p) => ({ ...p, match: compareNames(p.a, p.b, { type: p.type, threshold }).match }));
  const summary: Record<string, unknown> = {};
  for (const part of ['tune', 'heldout'] as const) {
    if (opt('part') && opt('part') !== part) continue;
    const mine = judged.filter((p) => p.part === part);
    const rows = [];
    // 'other-name' aliases are another name, not a spelling (screening-pairs.ts): shown per kind, not counted here.
    const counted = mine.filter((p) => p.kind !== 'other-name');
    for (const type of ['company', 'vessel', 'person', 'all'] as const) {
      const c: Counts = { tp: 0, fp: 0, fn: 0, tn: 0 };
      for (const p of counted.filter((x) => type === 'all' || x.type === type)) {
        if (p.label === 1) p.match ? c.tp++ : c.fn++;
        else p.match ? c.fp++ : c.tn++;
      }
      const m = prf(c);
      rows.push({ type, positives: c.tp + c.fn, negatives: c.fp + c.tn, precision: f3(m.precision), recall: f3(m.recall), F1: f3(m.f1), fp: c.fp, fn: c.fn });
      summary[`${part}.${type}`] = { precision: +m.precision.toFixed(4), recall: +m.recall.toFixed(4), f1: +m.f1.toFixed(4), positives: c.tp + c.fn, negatives: c.fp + c.tn };
    }
    process.stdout.write(`\n== screening pairs, ${part} part, threshold ${threshold}\n${renderTable(['type', 'positives', 'negatives', 'precision', 'recall', 'F1', 'fp', 'fn'], rows)}\n`);
    const kinds = [...new Set(mine.map((p) => `${p.type}:${p.kind}`))].sort();
    const kr = kinds.map((k) => {
      const xs = mine.filter((p) => `${p.type}:${p.kind}` === k);
      const ok = xs.filter((p) => p.match === (p.label === 1)).length;
      return { kind: k, label: xs[0]!.label, pairs: xs.length, correct: f3(ok / xs.length) };
    });
    process.stdout.write(`${renderTable(['kind', 'label', 'pairs', 'correct'], kr)}\n`);
  }
  const n = Number(opt('errors') ?? 0);
  if (n > 0) {
    const errs = judged.filter((p) => p.part === 'tune' && p.kind !== 'other-name' && p.match !== (p.label === 1));
    const pick = (xs: (LabelledPair & { match: boolean })[]) => xs.filter((_, i) => i % Math.max(1, Math.floor(xs.length / n)) === 0).slice(0, n);
    for (const p of pick(errs)) {
      const s = compareNames(p.a, p.b, { type: p.type, threshold });
      process.stdout.write(`${p.label ? 'FN' : 'FP'} ${p.type} ${p.kind} ${s.score.toFixed(3)} | ${p.a} | ${p.b}\n`);
    }
  }
  process.stdout.write(`${JSON.stringify({ eval: 'screening', threshold, ...summary })}\n`);
}
