/**
 * The features of the learned-risk model: which facts of a declaration line it may learn a risk rate for,
 * as SQL over the canonical `trade_lines` columns (alias `t`), shared by training and scoring.
 *
 * Invariants:
 * - One definition for both sides: training (train-risk-model.ts) and scoring (learned-risk.ts) compute a
 *   line's feature levels with the same SQL text from here, so a level learned in training is the level
 *   looked up when scoring. A change to any expression changes model results: bump MODEL_FORMAT.
 * - Every feature is categorical. Numbers (value, mass, value per kg) become decile bins whose bounds are
 *   learned from the training lines and stored with the model, so scoring bins new lines with the bounds
 *   of the lines the model was trained on, never with bounds of the data it scores.
 * - A missing value is its own level ('∅'), so "no declarant" can carry risk like any other level.
 * - Only canonical columns, never a label or an outcome (fraud, inspected, seized) and never `attrs`, where
 *   providers keep extra columns that may hold outcomes (KCS keeps "Critical Fraud" there).
 * - Expressions are fixed text written here; feature names are validated against this catalogue before they
 *   reach SQL, so no user text is spliced in.
 */

/** Version of the feature definitions; stored with each model, checked when scoring. */
export const MODEL_FORMAT = 1;

export interface BaseFeature {
  readonly name: string;
  readonly kind: 'category' | 'number';
  /** SQL over `t` (trade_lines): VARCHAR for categories, DOUBLE (NULL when unknown) for numbers. */
  readonly expr: string;
  readonly doc: string;
}

export const BASE_FEATURES: readonly BaseFeature[] = [
  { name: 'importer', kind: 'category', expr: 't.importer_key', doc: 'importer (id, else name)' },
  { name: 'exporter', kind: 'category', expr: 't.exporter_key', doc: 'exporter or seller' },
  { name: 'declarant', kind: 'category', expr: 't.declarant_id', doc: 'declarant (broker)' },
  { name: 'hs6', kind: 'category', expr: 't.hs6', doc: 'HS subheading' },
  { name: 'hs4', kind: 'category', expr: 't.hs4', doc: 'HS heading' },
  { name: 'hs2', kind: 'category', expr: 't.hs2', doc: 'HS chapter' },
  { name: 'origin', kind: 'category', expr: 't.origin_country', doc: 'country of origin' },
  { name: 'partner', kind: 'category', expr: 't.partner_country', doc: 'partner (departure for imports, destination for exports)' },
  { name: 'port', kind: 'category', expr: 't.port_code', doc: 'port or customs office' },
  { name: 'mode', kind: 'category', expr: 't.transport_mode', doc: 'transport mode' },
  { name: 'flow', kind: 'category', expr: 't.flow', doc: 'import or export' },
  { name: 'tax_rate', kind: 'category', expr: 'CAST(t.tax_rate AS VARCHAR)', doc: 'duty or tax rate' },
  { name: 'value', kind: 'number', expr: 'ln(1 + t.value)', doc: 'declared value, decile' },
  { name: 'mass', kind: 'number', expr: 'ln(1 + t.net_mass_kg)', doc: 'net mass, decile' },
  { name: 'value_per_kg', kind: 'number', expr: 'CASE WHEN t.net_mass_kg > 0 AND t.value > 0 THEN ln(t.value / t.net_mass_kg) END', doc: 'value per kg, decile' },
];

export interface Feature {
  readonly name: string;
  /** Base features whose levels make this feature's level (one, or two for a pair). */
  readonly parts: readonly string[];
}

const single = (name: string): Feature => ({ name, parts: [name] });
const pair = (a: string, b: string): Feature => ({ name: `${a}*${b}`, parts: [a, b] });

/**
 * The model's features: every base feature and the pairs whose joint rate says more than the two rates
 * apart (the goods from a given origin; a broker's or importer's usual goods; a price band within a product).
 */
export const FEATURES: readonly Feature[] = [
  ...BASE_FEATURES.map((b) => single(b.name)),
  pair('hs6', 'origin'),
  pair('hs6', 'partner'),
  pair('hs4', 'origin'),
  pair('origin', 'partner'),
  pair('hs6', 'value_per_kg'),
  pair('hs4', 'value_per_kg'),
  pair('importer', 'hs6'),
  pair('importer', 'exporter'),
  pair('declarant', 'hs6'),
  pair('declarant', 'importer'),
  pair('port', 'hs6'),
];

export const FEATURE_NAMES: readonly string[] = FEATURES.map((f) => f.name);
export const NUMBER_FEATURES: readonly BaseFeature[] = BASE_FEATURES.filter((b) => b.kind === 'number');

/** Decile cut points: a number's level is the count of bounds below it (0..9). */
export const BIN_QUANTILES = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9] as const;

const MISSING = "'∅'";

/** Column name of a base feature's raw value in the per-line relation. */
export const rawColumn = (base: string) => `c_${base}`;
/** Column name of a number feature's bounds (DOUBLE[]) in the per-line relation. */
export const boundsColumn = (base: string) => `bounds_${base}`;

/** Every base feature's raw value from `t`, as (column alias, SQL expression) for a SELECT list. */
export function rawColumns(): { alias: string; expr: string }[] {
  return BASE_FEATURES.map((b) => ({ alias: rawColumn(b.name), expr: `(${b.expr})${b.kind === 'number' ? '::DOUBLE' : '::VARCHAR'}` }));
}

/** A base feature's level as SQL over the per-line relation (raw columns and, for numbers, bounds columns). */
function levelSql(base: string): string {
  const b = BASE_FEATURES.find((x) => x.name === base)!;
  const c = rawColumn(b.name);
  if (b.kind === 'category') return `coalesce(${c}, ${MISSING})`;
  const bounds = boundsColumn(b.name);
  const count = BIN_QUANTILES.map((_, i) => `(${c} > ${bounds}[${i + 1}])::INTEGER`).join(' + ');
  return `CASE WHEN ${c} IS NULL OR ${bounds} IS NULL THEN ${MISSING} ELSE 'd' || (${count})::VARCHAR END`;
}

/** A feature's level: the base level, or the two base levels joined by '|'. */
export function featureLevelSql(f: Feature): string {
  return f.parts.map(levelSql).join(" || '|' || ");
}

/**
 * The two parallel lists that `unnest` turns into one (feature, level) row per line and feature:
 * `unnest(<names>) AS feature, unnest(<levels>) AS level` (DuckDB zips unnests of one SELECT).
 */
export function unnestFeaturesSql(features: readonly Feature[]): string {
  const names = features.map((f) => `'${f.name}'`).join(', ');
  const levels = features.map(featureLevelSql).join(', ');
  return `unnest([${names}]) AS feature, unnest([${levels}]) AS level`;
}

/** Resolves feature names against the catalogue; unknown names are an error naming the name. */
export function resolveFeatures(names: readonly string[] | undefined): Feature[] {
  if (!names?.length) return [...FEATURES];
  const out: Feature[] = [];
  for (const [i, n] of names.entries()) {
    const f = FEATURES.find((x) => x.name === n);
    if (!f) throw new RangeError(`feature ${i + 1} of the list is not in the catalogue: use names from ${FEATURE_NAMES.join(', ')}`);
    if (!out.includes(f)) out.push(f);
  }
  return out;
}
