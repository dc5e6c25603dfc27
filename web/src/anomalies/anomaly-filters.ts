/**
 * Refining a loaded page of anomalies by country, HS code, party and period. The API filters by run,
 * detector and score; these four live in each detector's evidence under different keys, so they are
 * matched here against the evidence values and the reason sentence of the rows already loaded (the page
 * says so). Pure functions.
 */
import type { Anomaly } from '../api/types.ts';

export interface Refine {
  country: string;
  hs: string;
  party: string;
  period: string;
}

export const NO_REFINE: Refine = { country: '', hs: '', party: '', period: '' };

function entries(o: unknown, prefix = ''): [string, string][] {
  if (o === null || o === undefined) return [];
  if (typeof o !== 'object') return [[prefix, String(o)]];
  const out: [string, string][] = [];
  for (const [k, v] of Object.entries(o as Record<string, unknown>)) out.push(...entries(v, prefix ? `${prefix}.${k}` : k));
  return out;
}

export function matches(a: Anomaly, r: Refine): boolean {
  const ev = entries(a.evidence);
  const reason = a.reason.toLowerCase();
  if (r.country) {
    const c = r.country.trim().toUpperCase();
    const word = new RegExp(`\\b${c.replace(/[^A-Z]/g, '')}\\b`);
    if (!ev.some(([, v]) => v.toUpperCase() === c) && !word.test(a.reason)) return false;
  }
  if (r.hs) {
    const h = r.hs.trim();
    if (!ev.some(([k, v]) => /hs/i.test(k) && v.startsWith(h)) && !reason.includes(h)) return false;
  }
  if (r.party) {
    const p = r.party.trim().toLowerCase();
    if (!ev.some(([k, v]) => /party|importer|exporter|payer|payee|declarant|name|key/i.test(k) && v.toLowerCase().includes(p)) && !reason.includes(p)) return false;
  }
  if (r.period) {
    const t = r.period.trim();
    if (!ev.some(([k, v]) => /month|period|date|year|quarter/i.test(k) && v.startsWith(t)) && !reason.includes(t.toLowerCase())) return false;
  }
  return true;
}

/** Evidence flattened to dotted keys, for the evidence table. */
export function flattenEvidence(e: Record<string, unknown>): [string, unknown][] {
  const out: [string, unknown][] = [];
  const walk = (o: unknown, prefix: string) => {
    if (o !== null && typeof o === 'object' && !Array.isArray(o)) {
      for (const [k, v] of Object.entries(o as Record<string, unknown>)) walk(v, prefix ? `${prefix}.${k}` : k);
    } else out.push([prefix, Array.isArray(o) ? o.join(', ') : o]);
  };
  walk(e, '');
  return out;
}
