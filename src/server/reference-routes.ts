/**
 * Names of the codes the pages show (reference data): countries, HS sections, chapters, headings and
 * subheadings, ports, so a table can say "XVI Machinery and mechanical appliances" or "USLAX Los Angeles"
 * instead of a bare code.
 *
 * Invariants: reads only the reference tables (public nomenclatures, no case data), through the scoped
 * handle like every read; codes are bound parameters; at most MAX_CODES codes per call, and the large
 * kinds (hs4, hs6) answer only for the codes asked, so no call returns the whole nomenclature by accident.
 */
import { z } from 'zod';
import { sql, type Kysely } from 'kysely';
import type { Runtime } from '../runtime/index.ts';
import { audited } from '../runtime/index.ts';
import { scopedDb } from '../query/index.ts';
import { defineRoute, type ApiRoute } from './api-route.ts';
import type { ReferenceNames } from '../api-contract/index.ts';

const MAX_CODES = 2_000;
const KINDS = ['countries', 'hs_sections', 'hs2', 'hs4', 'hs6', 'ports'] as const;
type Kind = (typeof KINDS)[number];
/** Kinds small enough to answer in full when no codes are given. */
const WHOLE: ReadonlySet<Kind> = new Set(['countries', 'hs_sections', 'hs2', 'ports']);

const namesQuery = z
  .object({
    kind: z.enum(KINDS).describe(`what the codes are: ${KINDS.join(', ')}`),
    codes: z
      .string()
      .max(40_000)
      .optional()
      .transform((v) => (v ? [...new Set(v.split(',').map((c) => c.trim()).filter(Boolean))] : []))
      .refine((v) => v.length <= MAX_CODES, `at most ${MAX_CODES} codes`)
      .refine((v) => v.every((c) => /^[A-Za-z0-9 ._-]{1,20}$/.test(c)), 'codes are letters, digits, dot, dash or underscore, up to 20 each')
      .describe('comma-separated codes (required for hs4 and hs6; all codes of the kind otherwise)'),
  })
  .strict()
  .refine((q) => WHOLE.has(q.kind) || q.codes.length > 0, { message: 'give codes for hs4 and hs6', path: ['codes'] });

/** Table, code and name columns of each kind. */
const SOURCE: Record<Kind, { table: string; code: string; name: string; level?: number }> = {
  // CLDR's display names are short forms ("US", "UK") for a few countries: the official name says more.
  countries: { table: 'ref_countries', code: 'alpha2', name: 'CASE WHEN length(r.name) <= 3 THEN coalesce(r.official_name, r.name) ELSE r.name END' },
  hs_sections: { table: 'ref_hs_sections', code: 'section', name: 'name' },
  hs2: { table: 'ref_hs', code: 'code', name: 'description', level: 2 },
  hs4: { table: 'ref_hs', code: 'code', name: 'description', level: 4 },
  hs6: { table: 'ref_hs', code: 'code', name: 'description', level: 6 },
  ports: { table: 'ref_ports', code: 'port_code', name: 'name' },
};

/** A name column, or a fixed expression over `r` written here (never user text). */
const nameSql = (name: string) => (/^[a-z_]+$/.test(name) ? sql.ref(`r.${name}`) : sql.raw(name));

export function referenceRoutes(rt: Runtime): ApiRoute<z.ZodType>[] {
  return [
    defineRoute({
      method: 'GET',
      path: '/api/reference/names',
      summary: 'Names of reference codes (countries, HS sections, chapters, headings, subheadings, ports)',
      permission: 'catalogue:read',
      query: namesQuery,
      handler: async (req, q: z.infer<typeof namesQuery>): Promise<ReferenceNames> =>
        audited(
          rt.audit,
          req.actor,
          'view-reference',
          `kind=${q.kind} codes=${q.codes.length || 'all'}`,
          async () => {
            const s = SOURCE[q.kind as Kind];
            let query = (scopedDb(rt.store, req.scope).db as Kysely<any>)
              .selectFrom(`${s.table} as r`)
              .select([sql.ref(`r.${s.code}`).as('code'), nameSql(s.name).as('name')])
              .where(nameSql(s.name), 'is not', null);
            if (s.level !== undefined) query = query.where('r.level', '=', s.level);
            if (q.codes.length) query = query.where(sql.ref(`r.${s.code}`), 'in', q.codes);
            const rows = (await query.execute()) as { code: string; name: string }[];
            return { kind: q.kind, names: Object.fromEntries(rows.map((r) => [String(r.code), String(r.name)])) };
          },
          (r) => ({ rowCount: Object.keys(r.names).length }),
        ),
    }),
  ];
}
