/**
 * What a detector is: a named, versioned, parameterised computation that compiles to one SQL query.
 *
 * Invariants:
 * - `build` only composes a Kysely query on the caller's ScopedDb; the scope plugin filters every table it
 *   reads, so a detector sees exactly the rows the caller may see, and the same compiled query is what a run
 *   stores with INSERT ... SELECT inside the engine (no rows pass through JavaScript).
 * - Every detector query returns the same columns (`ANOMALY_COLUMNS`), in that order, so one INSERT statement
 *   stores any detector's output.
 * - Parameters are validated by the detector's zod schema before any SQL is built; defaults are documented
 *   in the schema, so the CLI help, the API and the stored run record all show the same values.
 * - `version` changes whenever results for the same data and parameters may change.
 */
import { sql, type Kysely, type SelectQueryBuilder } from 'kysely';
import { z } from 'zod';
import type { ScopedDb } from '../query/index.ts';
import type { DatasetCategory } from '../schema/index.ts';
import type { SubjectPart } from './subject-key.ts';

/** Output columns of every detector query, in INSERT order. */
export const ANOMALY_COLUMNS = [
  'provider',
  'subject_kind',
  'declaration_id',
  'line_no',
  'row_id',
  'score',
  'reason',
  'evidence',
  'row_ids',
] as const;

export interface Detector<P extends Record<string, unknown> = Record<string, unknown>> {
  readonly id: string;
  readonly version: string;
  readonly summary: string;
  /**
   * The most sensitive dataset category its anomalies disclose (default 'trade'). A detector that reads
   * payments says 'financial', so its anomalies are visible only to scopes that may read payments.
   */
  readonly category?: DatasetCategory;
  /** Parameter schema with defaults; `.describe()` on each field documents it. */
  readonly params: z.ZodType<P>;
  /**
   * True when the result for a line depends only on lines of the same partition (PARTITION_KEY: provider,
   * hs6, flow) and `build` honours `ctx.touched`: an incremental run then recomputes only the partitions a
   * new batch touched and keeps the previous run's anomalies elsewhere (run-analysis.ts).
   */
  readonly partitioned?: boolean;
  /**
   * True for a detector that links rows of different providers on purpose (a bank's payment to a customs
   * declaration through resolved parties). Every other detector runs once per provider, on the run's scope
   * narrowed to that provider, so its statistics never mix providers; a cross-provider detector runs once
   * and each finding records the providers of the rows it names (run-analysis.ts).
   */
  readonly crossProvider?: boolean;
  /**
   * What identifies one of its anomalies from run to run (subject-key.ts), when the default of its subject
   * kind is not enough: a party detector that judges a party per month names the month too.
   */
  readonly subject?: readonly SubjectPart[];
  build(db: ScopedDb, params: P, ctx?: BuildContext): SelectQueryBuilder<any, any, any>;
}

/** What a run asks of a detector's query beyond its parameters. */
export interface BuildContext {
  /** Flag lines of these partitions only: a query with one column of PARTITION_KEY values. */
  readonly touched?: SelectQueryBuilder<any, any, any>;
}

/** A line's partition for incremental runs, as SQL over a trade_lines alias. */
export const partitionKey = (alias: string) => `(${alias}.provider || '|' || coalesce(${alias}.hs6, '') || '|' || ${alias}.flow)`;

export class DetectorParamError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DetectorParamError';
  }
}

/** Validates raw parameters for one detector; the message names the detector and parameter, never the value. */
export function parseParams<P extends Record<string, unknown>>(d: Detector<P>, raw: Record<string, unknown>): P {
  const r = d.params.safeParse(raw);
  if (r.success) return r.data;
  const issue = r.error.issues[0]!;
  const name = issue.path.length ? issue.path.join('.') : '(parameters)';
  throw new DetectorParamError(`parameter ${d.id}.${name}: ${issue.message}`);
}

/** Keeps a detector's parameter type while collecting detectors of different parameter types in one list. */
export function defineDetector<P extends Record<string, unknown>>(d: Detector<P>): Detector {
  return d as unknown as Detector;
}

/**
 * A detector query that returns no rows but has the anomaly columns: what a detector answers when the
 * caller's scope lacks the data it needs (so a run goes on without it rather than failing).
 */
export function noAnomalies(k: Kysely<any>, subjectKind: string) {
  return k
    .selectFrom(sql<any>`(SELECT 1 AS one)`.as('none'))
    .select([
      sql<string>`NULL::VARCHAR`.as('provider'),
      sql<string>`${subjectKind}`.as('subject_kind'),
      sql<string>`NULL::VARCHAR`.as('declaration_id'),
      sql<number>`NULL::INTEGER`.as('line_no'),
      sql<number>`NULL::BIGINT`.as('row_id'),
      sql<number>`NULL::DOUBLE`.as('score'),
      sql<string>`NULL::VARCHAR`.as('reason'),
      sql<string>`NULL::VARCHAR`.as('evidence'),
      sql<number[]>`NULL::BIGINT[]`.as('row_ids'),
    ])
    .where(sql<boolean>`false`);
}
