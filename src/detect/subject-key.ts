/**
 * The subject of an anomaly as a key that stays the same from run to run, so two runs can be compared
 * ("what is new since the last run") by a join on (detector, subject_key) inside the engine.
 *
 * Invariants:
 * - The key names what the detector judged, never a storage detail that a reload changes: a declaration
 *   line by its declaration id and line number (not its row id, which a correcting batch replaces), a party
 *   by its role and reference (plus the month or HS6 the detector judged it in), a country pair by importer,
 *   exporter, HS and period, a payment by its payment id. Provider and subject kind always lead the key, so
 *   keys of different providers or kinds never meet.
 * - Parts are fixed by the detector definitions in this repository (column names or JSON paths of the
 *   detector's own evidence), checked against a strict pattern before they are written into SQL, and quoted
 *   through the store's one escaping module; no user input ever reaches this text.
 * - A missing part is the empty string, not NULL, so a key is never NULL; a part with alternatives takes the
 *   first present one (a payment without a payment id is known by its row id).
 */
import { quoteString } from '../store/index.ts';

/** A column of the detector's output, or a JSON path into its evidence (`$.pair.importer`). */
export type SubjectField = 'declaration_id' | 'line_no' | 'row_id' | `$.${string}`;
/** One part of the key: a field, or alternatives taken in order (the first that is present). */
export type SubjectPart = SubjectField | readonly SubjectField[];

/** Default subject parts by subject kind, for detectors that do not declare their own. */
export const DEFAULT_SUBJECT: Readonly<Record<string, readonly SubjectPart[]>> = {
  line: ['declaration_id', 'line_no'],
  payment: [['$.payment_id', 'row_id']],
  party: ['$.role', '$.party'],
  pair: ['$.pair.importer', '$.pair.exporter', '$.pair.hs', '$.pair.period'],
};

const FIELD = /^(declaration_id|line_no|row_id|\$(\.[a-z_][a-z0-9_]*)+)$/;

function fieldSql(alias: string, f: SubjectField): string {
  if (!FIELD.test(f)) throw new Error(`subject key field ${JSON.stringify(f)} is not a column or a JSON path of the evidence`);
  return f.startsWith('$') ? `json_extract_string(${alias}.evidence, ${quoteString(f)})` : `${alias}.${f}::VARCHAR`;
}

function partsSql(alias: string, parts: readonly SubjectPart[]): string {
  const part = (p: SubjectPart) => {
    const alts = typeof p === 'string' ? [p] : p;
    return `coalesce(${alts.map((f) => fieldSql(alias, f)).join(', ')}, '')`;
  };
  return [`${alias}.provider`, `${alias}.subject_kind`, ...parts.map(part)].join(' || chr(31) || ');
}

/**
 * The key as a DuckDB expression over a detector's output row `alias` (columns ANOMALY_COLUMNS): the
 * detector's own parts, or the defaults of the row's subject kind. Parts are joined with the unit separator
 * (chr(31)), which no id, name or date carries.
 */
export function subjectKeySql(alias: string, parts?: readonly SubjectPart[]): string {
  if (parts) return partsSql(alias, parts);
  const cases = Object.entries(DEFAULT_SUBJECT).map(([kind, ps]) => `WHEN ${quoteString(kind)} THEN ${partsSql(alias, ps)}`);
  return `CASE ${alias}.subject_kind ${cases.join(' ')} ELSE ${partsSql(alias, ['row_id'])} END`;
}

/**
 * The key of an anomaly stored before keys were (subject_key NULL): the line, or else the row id. Runs stored
 * since carry the key; this keeps older runs comparable with themselves and, for lines, with newer runs.
 */
export function storedSubjectKeySql(alias: string): string {
  return `coalesce(${alias}.subject_key, ${alias}.provider || chr(31) || ${alias}.subject_kind || chr(31) || ` +
    `CASE WHEN ${alias}.subject_kind = 'line' THEN coalesce(${alias}.declaration_id, '') || chr(31) || coalesce(${alias}.line_no::VARCHAR, '') ELSE ${alias}.row_id::VARCHAR END)`;
}
