/**
 * Compiles a mapping profile into the SQL that turns staged text columns into typed canonical rows.
 *
 * Invariants:
 * - Output per emit set: one SELECT over the staging table `stage` (columns c1..cN, all VARCHAR, plus the
 *   staging `rowid`, the record number) that yields every canonical field typed, plus `_failure` naming the field and rule of the
 *   first check the row fails (NULL when the row is accepted). Reasons are constant strings: they name the field
 *   and the rule, never the value.
 * - Every literal that reaches SQL text comes from the profile or the command line and passes through
 *   quoteString/quoteIdent (store/duckdb-literal.ts); nothing from the data file is ever inlined.
 * - The profile's `where` compiles to one condition over `stage` (trimmed cell IN quoted profile values):
 *   records outside it never reach the mapping, so they cannot be rejected; ingest counts them apart.
 * - Checks follow the canonical spec (schema/): required, type, enum, pattern, bounds, date range, and a
 *   refusal of spreadsheet-formula text (CSV injection) in text fields.
 */
import { numberLiteral, quoteString, sqlType, MONEY_MAX_SQL, MONEY_PARSE_SQL } from '../store/index.ts';
import { DATASETS, type DatasetId, type FieldSpec } from '../schema/index.ts';
import { emitSets, normaliseMapping, type FieldMappingObject, type Profile } from '../profiles/index.ts';
import { InputError } from './input-error.ts';

export interface StagedColumn {
  /** Name in the file header (or `#N` when the file has none). */
  readonly sourceName: string;
  /** Name in the staging table: c1..cN. */
  readonly alias: string;
}

export interface CompileInput {
  profile: Profile;
  columns: readonly StagedColumn[];
  /** `--set field=value`: used where the mapped column is absent or empty. */
  overrides: Readonly<Record<string, string>>;
  provider: string;
  fileLabel: string;
  filePath: string;
  /** How the user named the profile (built-in name or file path), for errors about the profile itself. */
  profileSource?: string;
}

/**
 * Three SELECT lists applied in layers over the source relation `stage` (columns rec, c1..cN):
 * norm (n_<field>: text after mapping and defaults) -> typed (v_<field>: parsed once) -> final (canonical
 * fields and `_failure`, "field\u0001reason" of the first failed check, or NULL).
 */
export interface CompiledEmit {
  readonly normSql: string;
  readonly typedSql: string;
  readonly finalSql: string;
}

export interface CompiledMapping {
  readonly dataset: DatasetId;
  readonly emits: readonly CompiledEmit[];
  /** json_object(...) over the source columns c1..cN, for the quarantine's raw record. */
  readonly rawJsonSql: string;
  /** json_object(...) of the profile's extra columns, or NULL. */
  readonly attrsSql: string;
  /** Condition over `stage` a record must meet to be mapped at all (`true` without a `where`). */
  readonly whereSql: string;
}

const EARLIEST_DATE = '1900-01-01';
/** A release date more than a year ahead is a typo or a wrong format, not a declaration. */
const LATEST_DATE_SQL = "(current_date + INTERVAL 366 DAY)";

function sqlConstant(v: string | number | boolean): string {
  return quoteString(String(v));
}

function resolveColumn(m: FieldMappingObject, cols: readonly StagedColumn[]): string | null {
  if (!m.column) return null;
  const wanted = Array.isArray(m.column) ? m.column : [m.column];
  for (const w of wanted) {
    const pos = /^#([0-9]+)$/.exec(w);
    if (pos) {
      const c = cols[Number(pos[1]) - 1];
      if (c) return c.alias;
      continue;
    }
    const exact = cols.find((c) => c.sourceName === w) ?? cols.find((c) => c.sourceName.toLowerCase() === w.toLowerCase());
    if (exact) return exact.alias;
  }
  return null;
}

/** Text expression for a field before typing: column, transformations, then defaults. */
function textExpr(field: FieldSpec, m: FieldMappingObject, input: CompileInput): string | null {
  let e: string | null = null;
  if (m.source === 'record') e = '(stage.rowid + 1)::VARCHAR';
  else if (m.source === 'file') e = quoteString(input.fileLabel);
  else if (m.source === 'file-record') e = `(${quoteString(input.fileLabel + ':')} || (stage.rowid + 1)::VARCHAR)`;
  const col = resolveColumn(m, input.columns);
  // trim() copies every string; most cells need no trimming, so only those with an edge space pay for it.
  if (col) {
    const c = `stage.${col}`;
    e = `(CASE WHEN ${c} LIKE ' %' OR ${c} LIKE '% ' THEN NULLIF(trim(${c}), '') ELSE NULLIF(${c}, '') END)`;
  }
  if (e) {
    if (m.replace) e = `regexp_replace(${e}, ${quoteString(m.replace.pattern)}, ${quoteString(m.replace.replacement)})`;
    if (m.pad) e = `lpad(${e}, ${numberLiteral(m.pad)}, '0')`;
    if (m.upper) e = `upper(${e})`;
    if (m.map) {
      const cases = Object.entries(m.map)
        .map(([k, v]) => `WHEN ${quoteString(k.toLowerCase())} THEN ${quoteString(v)}`)
        .join(' ');
      e = `CASE lower(${e}) ${cases} ELSE ${m.mapDefault !== undefined ? quoteString(m.mapDefault) : e} END`;
    }
    if (m.prefix) e = `(${quoteString(m.prefix)} || ${e})`;
    if (m.lookup === 'country') {
      e = `coalesce((SELECT k.alpha2 FROM country_keys k WHERE k.key = upper(${e})), ${e})`;
    }
  }
  const fallback = input.overrides[field.name] ?? (m.constant !== undefined ? m.constant : undefined);
  if (fallback !== undefined) e = e ? `coalesce(${e}, ${sqlConstant(fallback)})` : sqlConstant(fallback);
  return e;
}

/**
 * The profile's `where` as SQL over the staged columns. A column the header lacks is a profile/file mismatch
 * found before anything is read, so it fails loudly rather than filtering every record away.
 */
function whereSql(input: CompileInput): string {
  const { profile } = input;
  const named = input.profileSource && input.profileSource !== profile.name ? ` (${input.profileSource})` : '';
  const conds = (profile.where ?? []).map((cond, i) => {
    const col = resolveColumn({ column: cond.column }, input.columns);
    if (!col) {
      throw new InputError(
        input.filePath,
        1,
        `where.${i}.column`,
        `profile "${profile.name}"${named} keeps records by column ${cond.column}, which the header lacks`,
        `Fix the column name in the profile's where, or use a profile made for this file`,
      );
    }
    const values = cond.in ?? [cond.equals!];
    return `trim(stage.${col}) IN (${values.map((v) => quoteString(v)).join(', ')})`;
  });
  return conds.length ? conds.join(' AND ') : 'true';
}

/** Dataset-level defaults that depend on other fields (formats.md). */
function datasetDefault(dataset: DatasetId, field: string, provider: string): string | null {
  // formats.md: currency defaults to USD; enforcement amounts follow the same rule, so they convert alike.
  if (field === 'currency' && (dataset === 'trade_lines' || dataset === 'payments' || dataset === 'enforcement_events')) return "'USD'";
  if (dataset === 'trade_lines' && field === 'line_no') return "'1'";
  if (dataset === 'trade_lines' && field === 'reporter') return quoteString(provider);
  if (field === 'valuation_basis' && (dataset === 'trade_lines' || dataset === 'mirror_stats')) {
    return "CASE WHEN lower(t_flow) = 'export' THEN 'fob' ELSE 'cif' END";
  }
  return null;
}

interface FieldSql {
  /** Typed value computed from the normalised text column. */
  typed: string;
  /** Checks over the normalised text (n) and typed (v) columns: a condition that is true when the row fails. */
  checks: { cond: string; message: string }[];
}

/**
 * n and v name columns of the previous layers, so every cast or parse is computed once per row and the
 * checks only compare; a check never re-parses.
 */
function fieldSql(f: FieldSpec, n: string, v: string, dateFormats: readonly string[], scale: number | undefined): FieldSql {
  const checks: { cond: string; message: string }[] = [];
  const fail = (cond: string, why: string) => checks.push({ cond, message: quoteString(`${f.name}\u0001${why}`) });
  let typed: string;
  switch (f.type) {
    case 'money': {
      // Parsed from the text as a wide decimal, scaled exactly, rounded to the money scale at the final layer:
      // no binary float ever holds the amount (store/money.ts).
      const num = `TRY_CAST(${n} AS ${MONEY_PARSE_SQL})`;
      typed = scale ? `${num} * ${numberLiteral(scale)}` : num;
      fail(`${n} IS NOT NULL AND ${v} IS NULL`, 'not a number');
      if (f.min !== undefined) {
        fail(`${v} ${f.exclusiveMin ? '<=' : '<'} ${numberLiteral(f.min)}`, f.exclusiveMin ? `must be greater than ${f.min}` : `must be at least ${f.min}`);
      }
      fail(`abs(${v}) > ${MONEY_MAX_SQL}`, `exceeds ${MONEY_MAX_SQL}, the largest amount the store holds`);
      break;
    }
    case 'int':
    case 'decimal': {
      const num = `TRY_CAST(${n} AS DOUBLE)`;
      typed = scale ? `${num} * ${numberLiteral(scale)}` : num;
      // v holds the scaled DOUBLE; INTEGER fields are cast at the final layer after the whole-number check.
      fail(`${n} IS NOT NULL AND (${v} IS NULL OR NOT isfinite(${v}))`, 'not a number');
      if (f.type === 'int') fail(`${v} <> floor(${v})`, 'not a whole number');
      if (f.min !== undefined) {
        fail(`${v} ${f.exclusiveMin ? '<=' : '<'} ${numberLiteral(f.min)}`, f.exclusiveMin ? `must be greater than ${f.min}` : `must be at least ${f.min}`);
      }
      break;
    }
    case 'date': {
      typed = dateFormats.length
        ? `coalesce(${dateFormats.map((fmt) => `try_strptime(${n}, ${quoteString(fmt)})`).join(', ')})::DATE`
        : `TRY_CAST(${n} AS DATE)`;
      fail(`${n} IS NOT NULL AND ${v} IS NULL`, dateFormats.length ? `not a date in the format ${dateFormats.join(' or ')}` : 'not a date (expected YYYY-MM-DD)');
      fail(`${v} < DATE '${EARLIEST_DATE}' OR ${v} > ${LATEST_DATE_SQL}`, `date out of range (${EARLIEST_DATE} to one year from today)`);
      break;
    }
    case 'bool': {
      typed = `CASE WHEN lower(${n}) IN ('1','true','t','yes','y') THEN true WHEN lower(${n}) IN ('0','false','f','no','n') THEN false END`;
      fail(`${n} IS NOT NULL AND ${v} IS NULL`, 'not a yes/no value (1/0, true/false, yes/no)');
      break;
    }
    case 'country':
      typed = `upper(${n})`;
      fail(`${n} IS NOT NULL AND NOT regexp_full_match(${v}, '[A-Z]{2}')`, 'not an ISO 3166 alpha-2 country code');
      break;
    case 'currency':
      typed = `upper(${n})`;
      fail(`${n} IS NOT NULL AND NOT regexp_full_match(${v}, '[A-Z]{3}')`, 'not an ISO 4217 currency code');
      break;
    default:
      typed = f.oneOf ? `lower(${n})` : n;
      // A cell starting with = + @ tab CR (or - then a non-digit) is executed by spreadsheets on export.
      // Prefix LIKEs are the cheapest test; the regex runs only on the rare cell that starts with a dash.
      fail(
        `${['=', '+', '@', '\t', '\r'].map((ch) => `${n} LIKE ${quoteString(`${ch}%`)}`).join(' OR ')} OR (${n} LIKE '-%' AND NOT regexp_full_match(substr(${n}, 2, 1), '[0-9. ]?'))`,
        'starts with a spreadsheet formula character (possible CSV injection)',
      );
  }
  if (f.oneOf) fail(`${n} IS NOT NULL AND ${v} NOT IN (${f.oneOf.map((o) => quoteString(o)).join(', ')})`, `must be one of ${f.oneOf.join(', ')}`);
  if (f.pattern) fail(`${n} IS NOT NULL AND NOT regexp_full_match(${n}, ${quoteString(f.pattern)})`, `does not match the expected shape ${f.pattern}`);
  if (f.required) checks.unshift({ cond: `${n} IS NULL`, message: quoteString(`${f.name}\u0001required value is missing`) });
  return { typed, checks };
}

export function compileMapping(input: CompileInput): CompiledMapping {
  const { profile } = input;
  const spec = DATASETS[profile.dataset];
  const where = whereSql(input);
  const emits: CompiledEmit[] = [];
  for (const set of emitSets(profile)) {
    const texts = new Map<string, string>();
    for (const f of spec.fields) {
      const raw = set[f.name];
      const m = raw === undefined ? {} : normaliseMapping(raw);
      const t = textExpr(f, m, input);
      if (t) texts.set(f.name, t);
      else if (f.required && raw !== undefined && !input.overrides[f.name]) {
        const wanted = Array.isArray(m.column) ? m.column.join(' or ') : (m.column ?? '(none)');
        throw new InputError(
          input.filePath,
          1,
          f.name,
          `required column ${wanted} is missing from the header`,
          `Fix the file or the profile "${profile.name}", or give a value for every row with --set ${f.name}=VALUE`,
        );
      } else if (f.required) {
        throw new InputError(
          input.filePath,
          1,
          f.name,
          `profile "${profile.name}" maps no column to this required field`,
          `Give a value for every row with --set ${f.name}=VALUE, or add the field to the profile`,
        );
      }
    }
    // Field defaults that depend on another field refer to it by a stable name (t_flow).
    const flowText = texts.get('flow');
    const norm: string[] = [];
    const typedCols: string[] = [];
    const finals: string[] = [];
    const checks: { cond: string; message: string }[] = [];
    for (const f of spec.fields) {
      const m = set[f.name] === undefined ? {} : normaliseMapping(set[f.name]!);
      let text = texts.get(f.name) ?? null;
      const dflt = datasetDefault(profile.dataset, f.name, input.provider);
      if (dflt) {
        const d = dflt.replaceAll('t_flow', flowText ?? 'NULL');
        text = text ? `coalesce(${text}, ${d})` : d;
      }
      if (!text) {
        finals.push(`NULL::${sqlType(f.type)} AS ${f.name}`);
        continue;
      }
      const formats = m.dateFormat ? [...(Array.isArray(m.dateFormat) ? m.dateFormat : [m.dateFormat])] : [];
      // Constants and --set values are written in ISO form whatever the file's own date format is.
      const hasFallback = input.overrides[f.name] !== undefined || m.constant !== undefined;
      if (formats.length && hasFallback && !formats.includes('%Y-%m-%d')) formats.push('%Y-%m-%d');
      const n = `n_${f.name}`;
      const v = `v_${f.name}`;
      const fs = fieldSql(f, n, v, formats, m.scale);
      norm.push(`${text} AS ${n}`);
      typedCols.push(`${fs.typed} AS ${v}`);
      // A money value out of range fails its check; TRY_CAST keeps that row from aborting the whole load.
      finals.push(f.type === 'money' ? `TRY_CAST(${v} AS ${sqlType(f.type)}) AS ${f.name}` : `${v}::${sqlType(f.type)} AS ${f.name}`);
      // A NUL is never text: the record is binary or corrupt, and must not be stored as if it were a name.
      checks.push({ cond: `contains(${n}, chr(0))`, message: quoteString(`${f.name}\u0001contains a NUL character (binary data, not text)`) });
      checks.push(...fs.checks);
    }
    // Most rows pass: one OR of the conditions decides, and only failing rows pay for finding which check
    // failed first and building its message.
    const firstFailure = checks.length
      ? `CASE WHEN ${checks.map((c) => `(${c.cond})`).join(' OR ')} THEN coalesce(${checks.map((c) => `CASE WHEN ${c.cond} THEN ${c.message} END`).join(', ')}) END`
      : 'NULL';
    emits.push({
      normSql: norm.join(',\n  '),
      typedSql: typedCols.join(',\n  '),
      // "field\u0001reason" of the first failed check; split when the quarantine is written.
      finalSql: [...finals, `${firstFailure} AS _failure`].join(',\n  '),
    });
  }
  const rawJsonSql = `json_object(${input.columns.map((c) => `${quoteString(c.sourceName)}, ${c.alias}`).join(', ')})`;
  const extras = profile.extras
    .map((name) => ({ name, alias: resolveColumn({ column: name }, input.columns) }))
    .filter((e): e is { name: string; alias: string } => e.alias !== null);
  const attrsSql = extras.length ? `json_object(${extras.map((e) => `${quoteString(e.name)}, ${e.alias}`).join(', ')})` : 'NULL';
  return { dataset: profile.dataset, emits, rawJsonSql, attrsSql, whereSql: where };
}
