/**
 * Names of reference codes for display: "XVI Machinery and mechanical appliances…", "USLAX Los Angeles",
 * "CN China". Codes stay the values (filters, links and exports use them); names are added beside them.
 *
 * Invariants:
 * - One cache per signed-in app (a provider under the session, never a module-level map), filled from
 *   GET /api/reference/names: small kinds (countries, sections, chapters, ports) whole on first use, headings
 *   and subheadings only for the codes a page shows, in batches.
 * - A missing name is never an error: the code alone is shown (a user without catalogue access, an unknown
 *   code, a server without the route).
 */
import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { useSession } from '../session/session.tsx';

export type RefKind = 'countries' | 'hs_sections' | 'hs2' | 'hs4' | 'hs6' | 'ports';
const WHOLE: ReadonlySet<RefKind> = new Set(['countries', 'hs_sections', 'hs2', 'ports']);
const BATCH = 400;

/** Which reference kind names the values of an explore or measures dimension. */
export const DIMENSION_KIND: Readonly<Record<string, RefKind>> = {
  origin: 'countries',
  departure: 'countries',
  destination: 'countries',
  partner: 'countries',
  reporter: 'countries',
  nation: 'countries',
  payer_country: 'countries',
  payee_country: 'countries',
  hs_section: 'hs_sections',
  hs2: 'hs2',
  hs4: 'hs4',
  hs6: 'hs6',
  port: 'ports',
};

interface NamesValue {
  lookup(kind: RefKind, code: string): string | undefined;
  want(kind: RefKind, codes: readonly string[]): void;
  version: number;
}

const NamesContext = createContext<NamesValue | null>(null);

/** Sentence case for names stored in lower case ("live animals; animal products"). */
const tidy = (s: string) => s.trim().replace(/^./, (c) => c.toUpperCase());

export function ReferenceNamesProvider({ children }: { children: ReactNode }) {
  const { api, can } = useSession();
  const cache = useRef(new Map<RefKind, Map<string, string | null>>());
  const asked = useRef(new Set<string>());
  const queue = useRef(new Map<RefKind, Set<string>>());
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const [version, setVersion] = useState(0);
  const allowed = can('catalogue:read');

  const flush = useCallback(() => {
    timer.current = null;
    const work = [...queue.current.entries()];
    queue.current.clear();
    for (const [kind, codes] of work) {
      const list = [...codes];
      const chunks = WHOLE.has(kind) ? [[] as string[]] : Array.from({ length: Math.ceil(list.length / BATCH) }, (_, i) => list.slice(i * BATCH, (i + 1) * BATCH));
      for (const chunk of chunks) {
        api.referenceNames({ kind, codes: chunk.length ? chunk.join(',') : undefined }).then(
          (r) => {
            const m = cache.current.get(kind) ?? new Map<string, string | null>();
            for (const c of chunk) if (!m.has(c)) m.set(c, null);
            for (const [c, n] of Object.entries(r.names)) m.set(c, tidy(n));
            cache.current.set(kind, m);
            setVersion((v) => v + 1);
          },
          () => undefined,
        );
      }
    }
  }, [api]);

  const want = useCallback(
    (kind: RefKind, codes: readonly string[]) => {
      if (!allowed) return;
      if (WHOLE.has(kind)) {
        if (asked.current.has(kind)) return;
        asked.current.add(kind);
        queue.current.set(kind, new Set());
      } else {
        const fresh = codes.filter((c) => c && /^[A-Za-z0-9._-]{1,20}$/.test(c) && !asked.current.has(`${kind}:${c}`));
        if (!fresh.length) return;
        for (const c of fresh) asked.current.add(`${kind}:${c}`);
        const q = queue.current.get(kind) ?? new Set<string>();
        for (const c of fresh) q.add(c);
        queue.current.set(kind, q);
      }
      if (!timer.current) timer.current = setTimeout(flush, 0);
    },
    [allowed, flush],
  );

  useEffect(
    () => () => {
      if (timer.current) clearTimeout(timer.current);
    },
    [],
  );

  const value = useMemo<NamesValue>(() => ({ lookup: (kind, code) => cache.current.get(kind)?.get(code) ?? undefined, want, version }), [want, version]);
  return <NamesContext.Provider value={value}>{children}</NamesContext.Provider>;
}

/**
 * Names for codes of one kind; returns a lookup that re-renders the caller when names arrive. Codes are
 * asked for in an effect, so rendering never waits for them.
 */
export function useNames(kind: RefKind | undefined, codes: readonly (string | null | undefined)[]): (code: string | null | undefined) => string | undefined {
  const ctx = useContext(NamesContext);
  const key = kind ? codes.filter(Boolean).join(',') : '';
  useEffect(() => {
    if (ctx && kind) ctx.want(kind, key ? key.split(',') : []);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [ctx?.want, kind, key]);
  const version = ctx?.version ?? 0;
  return useMemo(() => {
    void version;
    return (code) => (ctx && kind && code ? ctx.lookup(kind, code) : undefined);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [ctx, kind, version]);
}

/** Names for several dimensions at once (explore tables): lookup(dimensionId, code). */
export function useDimensionNames(dims: readonly string[], rows: readonly Record<string, unknown>[]): (dim: string, code: unknown) => string | undefined {
  const ctx = useContext(NamesContext);
  const wanted = useMemo(() => {
    const out: [RefKind, string[]][] = [];
    for (const d of dims) {
      const kind = DIMENSION_KIND[d];
      if (!kind) continue;
      const codes = new Set<string>();
      if (!WHOLE.has(kind)) for (const r of rows.slice(0, 5000)) if (typeof r[d] === 'string') codes.add(r[d] as string);
      out.push([kind, [...codes]]);
    }
    return out;
  }, [dims, rows]);
  useEffect(() => {
    if (ctx) for (const [kind, codes] of wanted) ctx.want(kind, codes);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [ctx?.want, wanted]);
  const version = ctx?.version ?? 0;
  return useMemo(() => {
    void version;
    return (dim, code) => {
      const kind = DIMENSION_KIND[dim];
      return ctx && kind && typeof code === 'string' ? ctx.lookup(kind, code) : undefined;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [ctx, version]);
}

/** "XVI Machinery and mechanical appliances" as text: the code, then its name when known. */
export const withName = (code: unknown, name: string | undefined): string =>
  code === null || code === undefined ? '(none)' : name && name.toUpperCase() !== String(code).toUpperCase() ? `${String(code)} ${name}` : String(code);
