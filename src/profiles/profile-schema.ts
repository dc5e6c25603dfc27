/**
 * Mapping profiles: small declarative files that map a source layout onto a canonical dataset.
 *
 * Invariants:
 * - A profile is data, validated here with zod; a user writes one without touching code.
 * - Every transformation a profile can ask for (column choice, constants, code maps, padding, prefixes,
 *   regex rewrite, scaling, date formats, country look-up) compiles to SQL in ingest/; nothing runs per row
 *   in JavaScript.
 * - Field names are checked against the canonical dataset so a typo fails when the profile is loaded,
 *   before any file is read.
 * - `where` keeps only the source records a profile is meant for (e.g. one of two valuation bases a file
 *   reports side by side). It is a plain column = value(s) test compiled into the read's WHERE clause, so a
 *   left-out record is neither a reject nor silently lost: ingest counts it as filtered. Values are compared
 *   as text (trimmed cell, case-sensitive) because every staged cell is text; numbers in JSON are refused
 *   rather than guessed at (`2015` vs `2015.0`).
 */
import { z } from 'zod';
import { DATASETS, DATASET_CATEGORIES, type DatasetId } from '../schema/index.ts';

const fieldMappingObject = z
  .object({
    /** Source column; a list means the first one present in the file. `#N` is the N-th column (1-based). */
    column: z.union([z.string(), z.array(z.string()).min(1)]).optional(),
    /** Fixed value when the column is absent or empty. */
    constant: z.union([z.string(), z.number(), z.boolean()]).optional(),
    /** Value from the read itself: the record number, the file name, or both (`file.csv:12`). */
    source: z.enum(['record', 'file', 'file-record']).optional(),
    /** strptime formats tried in order, for date fields. */
    dateFormat: z.union([z.string(), z.array(z.string()).min(1)]).optional(),
    /** Multiply a number (units: tonnes -> kg is 1000). */
    scale: z.number().positive().optional(),
    /** Code map applied after trimming; keys compared case-insensitively. */
    map: z.record(z.string(), z.string()).optional(),
    /** Value for codes absent from `map`; without it an unmapped code is kept as is. */
    mapDefault: z.string().optional(),
    /** Left-pad with zeros to this width (HS codes that lost a leading zero). */
    pad: z.number().int().min(1).max(20).optional(),
    prefix: z.string().optional(),
    /** Regex rewrite (RE2 syntax): { pattern, replacement } with \1 back-references. */
    replace: z.object({ pattern: z.string(), replacement: z.string() }).optional(),
    upper: z.boolean().optional(),
    /** Resolve a country name, alpha-3 or alpha-2 code to alpha-2 through the countries reference. */
    lookup: z.literal('country').optional(),
  })
  .strict();

/** One condition on a source record: the column's trimmed text equals a value, or is one of several. */
const rowConditionSchema = z
  .object({
    /** Source column by header name (case-insensitive) or `#N` (1-based). */
    column: z.string().min(1),
    equals: z.string().optional(),
    in: z.array(z.string()).min(1).optional(),
  })
  .strict()
  .refine((c) => (c.equals === undefined) !== (c.in === undefined), {
    message: 'a where condition has exactly one of `equals` (a string) or `in` (a list of strings)',
  });

export type RowCondition = z.infer<typeof rowConditionSchema>;

export const fieldMappingSchema = z.union([z.string(), fieldMappingObject]);
export type FieldMapping = z.infer<typeof fieldMappingSchema>;
export type FieldMappingObject = z.infer<typeof fieldMappingObject>;

export const profileSchema = z
  .object({
    name: z.string().regex(/^[a-z][a-z0-9-]*$/, 'profile name: lower-case letters, digits and dashes'),
    description: z.string(),
    dataset: z.enum(Object.keys(DATASETS) as [DatasetId, ...DatasetId[]]),
    category: z.enum(DATASET_CATEGORIES as unknown as [string, ...string[]]),
    format: z
      .object({
        /** 'auto' picks tab, semicolon, pipe or comma from the first line. */
        delimiter: z.string().min(1).max(1).or(z.literal('auto')).default(','),
        /** 'auto' treats the first line as a header unless every cell in it is a number. */
        header: z.union([z.boolean(), z.literal('auto')]).default(true),
        quote: z.string().max(1).default('"'),
        encoding: z.enum(['utf-8', 'latin-1', 'utf-16']).default('utf-8'),
      })
      .strict()
      .default({ delimiter: ',', header: true, quote: '"', encoding: 'utf-8' }),
    /** One mapping per canonical field. */
    fields: z.record(z.string(), fieldMappingSchema).optional(),
    /** Several canonical rows per source record (e.g. both sides of a mirror pair); replaces `fields`. */
    emit: z.array(z.record(z.string(), fieldMappingSchema)).min(1).optional(),
    /** Source columns kept verbatim in the row's `attrs` (opt-in: minimisation, access.md). */
    extras: z.array(z.string()).default([]),
    /** Keep only source records meeting every condition; the rest are counted as filtered, not rejected. */
    where: z.array(rowConditionSchema).min(1).optional(),
  })
  .strict()
  .superRefine((p, ctx) => {
    if (!p.fields === !p.emit) {
      ctx.addIssue({ code: 'custom', message: 'a profile has either `fields` or `emit`, not both or neither' });
      return;
    }
    const known = new Set(DATASETS[p.dataset].fields.map((f) => f.name));
    for (const [i, set] of (p.emit ?? [p.fields!]).entries()) {
      for (const name of Object.keys(set)) {
        if (!known.has(name)) {
          ctx.addIssue({
            code: 'custom',
            path: p.emit ? ['emit', i, name] : ['fields', name],
            message: `unknown ${p.dataset} field "${name}"`,
          });
        }
      }
    }
  });

export type Profile = z.infer<typeof profileSchema>;

/** The mapping sets of a profile: one per canonical row emitted for each source record. */
export function emitSets(p: Profile): Record<string, FieldMapping>[] {
  return p.emit ?? [p.fields!];
}

export function normaliseMapping(m: FieldMapping): FieldMappingObject {
  return typeof m === 'string' ? { column: m } : m;
}
