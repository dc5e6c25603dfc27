/**
 * learned-risk: scores lines with a stored risk model (train-risk-model.ts) and flags those whose predicted
 * probability of the label is well above the training base rate, naming the feature levels that drove it.
 *
 * Invariants:
 * - Never scores a line the model was trained on: lines of the model's training batches are excluded, and so
 *   are later versions of them (a line whose earlier version, now in history, came from a training batch).
 * - Uses the model given by `model`, else the latest model of each provider the caller may see; models and
 *   their levels are scoped tables like the lines, so a caller scores only lines of providers they may read,
 *   with models learned from those providers' lines. No model: no anomalies (the detector is quiet).
 * - Levels are computed with the same SQL as in training (risk-features.ts), numbers binned with the bounds
 *   stored with the model; a level the model never saw contributes nothing (lift 0).
 * - Score = 100 x predicted probability: monotone, and comparable across runs of the same model.
 *   Reason and evidence list the strongest positive contributions (coefficient x lift) with the training
 *   counts behind each, so an investigator can check every rate.
 * - Output columns are ANOMALY_COLUMNS, ordered by row id.
 */
import { sql, type Kysely } from 'kysely';
import { z } from 'zod';
import { defineDetector } from './detector.ts';
import { boundsColumn, MODEL_FORMAT, NUMBER_FEATURES, rawColumns, unnestFeaturesSql, FEATURES } from './risk-features.ts';

export const learnedRiskParams = z
  .object({
    model: z.string().regex(/^M[0-9]{6,}$/, 'a model id like M000001').optional().describe('model id (default: the latest model of each provider)'),
    min_lift: z.number().min(0).max(1000).default(1.5).describe('flag lines whose predicted probability is at least this multiple of the training base rate (0 scores every line)'),
    factors: z.number().int().min(1).max(10).default(3).describe('contributing feature levels named in the reason'),
  })
  .strict();

export const learnedRisk = defineDetector({
  id: 'learned-risk',
  version: '1',
  summary: 'predicted probability of the label from a model trained on labelled lines of other batches',
  params: learnedRiskParams,
  build: (db, p) => {
    const k = db.db as Kysely<any>;
    let models = k
      .selectFrom('risk_models as m')
      .where('m.format', '=', MODEL_FORMAT)
      .select(['m.model_id', 'm.provider', 'm.label', 'm.batches', 'm.intercept', 'm.base_rate', 'm.bins', sql<string>`strftime(m.trained_at, '%Y-%m-%d')`.as('trained_on')]);
    models = p.model
      ? models.where('m.model_id', '=', p.model)
      : models.where('m.model_seq', '=', k.selectFrom('risk_models as m2').select(sql<number>`max(m2.model_seq)`.as('s')).whereRef('m2.provider', '=', 'm.provider').where('m2.format', '=', MODEL_FORMAT));
    const feats = FEATURES;
    return k
      .with('rm', () => models)
      .with('l', (qb) =>
        qb
          .selectFrom('trade_lines as t')
          .innerJoin('rm', 'rm.provider', 't.provider')
          .where(sql<boolean>`NOT list_contains(rm.batches, t.batch_id)`)
          // Nor a later version of a training line (the same declaration line re-sent in a new batch).
          .where(({ not, exists, selectFrom }) =>
            not(
              exists(
                selectFrom('trade_lines_history as h')
                  .select(sql`1`.as('one'))
                  .whereRef('h.provider', '=', 't.provider')
                  .whereRef('h.declaration_id', '=', 't.declaration_id')
                  .whereRef('h.line_no', '=', 't.line_no')
                  .where(sql<boolean>`list_contains(rm.batches, h.batch_id)`),
              ),
            ),
          )
          .select([
            't.row_id',
            't.provider',
            't.declaration_id',
            't.line_no',
            'rm.model_id',
            'rm.label',
            'rm.batches',
            'rm.intercept',
            'rm.base_rate',
            'rm.trained_on',
            ...rawColumns().map((r) => sql.raw(r.expr).as(r.alias)),
            ...NUMBER_FEATURES.map((b) => sql.raw(`CAST(json_extract(rm.bins, '$.${b.name}') AS DOUBLE[])`).as(boundsColumn(b.name))),
          ]),
      )
      .with('f', (qb) => qb.selectFrom('l').select(['l.row_id', 'l.model_id', sql.raw(unnestFeaturesSql(feats)) as any]))
      .with('e', (qb) =>
        qb
          .selectFrom('f')
          .innerJoin('risk_model_terms as r', (j) => j.onRef('r.model_id', '=', 'f.model_id').onRef('r.feature', '=', 'f.feature').onRef('r.level', '=', 'f.level'))
          .select([
            'f.row_id',
            'r.feature',
            'r.level',
            'r.n',
            'r.positives',
            'r.weight',
            sql<number>`row_number() OVER (PARTITION BY f.row_id ORDER BY r.weight DESC, r.feature)`.as('rk'),
          ]),
      )
      .with('s', (qb) =>
        qb
          .selectFrom('e')
          .select([
            'e.row_id',
            sql<number>`sum(e.weight)`.as('wsum'),
            sql<string>`string_agg(printf('%s %s: %d of %d training lines (%.0f%%)', e.feature, e.level, e.positives, e.n, 100.0 * e.positives / e.n), '; ' ORDER BY e.rk)
              FILTER (WHERE e.rk <= ${p.factors} AND e.weight > 0)`.as('top'),
            sql<string>`to_json(list(struct_pack(feature := e.feature, level := e.level, n := e.n, positives := e.positives,
              rate := e.positives / e.n, weight := e.weight) ORDER BY e.rk) FILTER (WHERE e.rk <= ${p.factors} AND e.weight > 0))`.as('factors'),
          ])
          .groupBy('e.row_id'),
      )
      .with('x', (qb) =>
        qb
          .selectFrom('l')
          .leftJoin('s', 's.row_id', 'l.row_id')
          .select(['l.row_id', 'l.provider', 'l.declaration_id', 'l.line_no', 'l.model_id', 'l.label', 'l.batches', 'l.base_rate', 'l.trained_on', 's.top', 's.factors'])
          .select(sql<number>`l.intercept + coalesce(s.wsum, 0)`.as('z'))
          .select(sql<number>`1 / (1 + exp(-greatest(-30, least(30, l.intercept + coalesce(s.wsum, 0)))))`.as('prob')),
      )
      .selectFrom('x')
      .where(sql<boolean>`x.prob >= ${p.min_lift}::DOUBLE * x.base_rate`)
      .select([
        'x.provider',
        sql<string>`'line'`.as('subject_kind'),
        'x.declaration_id',
        'x.line_no',
        'x.row_id',
        sql<number>`round(100 * x.prob, 2)`.as('score'),
        sql<string>`printf('Predicted %s probability %.0f%% is %.1f× the training rate %.0f%% (model %s); strongest: %s',
          x.label, 100 * x.prob, x.prob / x.base_rate, 100 * x.base_rate, x.model_id, coalesce(x.top, 'no level above its base rate'))`.as('reason'),
        sql<string>`json_object('model', x.model_id, 'label', x.label, 'trained_on', x.trained_on, 'training_batches', x.batches,
          'base_rate', x.base_rate, 'probability', x.prob, 'lift', x.prob / x.base_rate, 'logit', x.z,
          'factors', coalesce(x.factors::JSON, '[]'::JSON))`.as('evidence'),
        sql<string[]>`list_value(x.row_id)`.as('row_ids'),
      ])
      .orderBy('x.row_id');
  },
});
