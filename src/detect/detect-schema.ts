/**
 * DDL for stored analysis runs and their anomalies, in the analytical store next to the rows they point at.
 *
 * Invariants:
 * - Both tables carry `provider`: they are registered as scoped 'trade' tables, and the scope plugin filters
 *   on that column, so a principal reads only anomalies of lines (and run records of providers) they may see.
 * - A run is stored as one `analysis_runs` row per provider whose rows it read (with that provider's batch
 *   ids by category as its data version, `{trade: [...], financial: [...]}`), so listing runs through the
 *   scope layer never reveals other providers' batches, and the listing leaves out the batches of categories
 *   the caller is not granted (run records older than categories hold a plain list of trade batches). A run
 *   that read no rows has one row with provider '' (visible to all-provider grants only). `anomaly_count`
 *   records the provider's total when the run was stored; listings count anomalies through the caller's scope.
 * - Rows are written once per run and never updated: a run is a reproducible record (detector versions,
 *   parameters, data version), so results can be compared across runs.
 * - Idempotent: runs at every store open.
 */
export const DETECT_DDL: readonly string[] = [
  `CREATE TABLE IF NOT EXISTS analysis_runs (run_id VARCHAR NOT NULL, run_seq INTEGER NOT NULL, provider VARCHAR NOT NULL,
     started_at TIMESTAMP NOT NULL, finished_at TIMESTAMP NOT NULL, detectors VARCHAR[] NOT NULL, params JSON NOT NULL,
     data_version JSON NOT NULL, principal VARCHAR NOT NULL, anomaly_count BIGINT NOT NULL, PRIMARY KEY (run_id, provider))`,
  `CREATE TABLE IF NOT EXISTS anomalies (run_id VARCHAR NOT NULL, anomaly_id VARCHAR NOT NULL PRIMARY KEY,
     detector VARCHAR NOT NULL, detector_version VARCHAR NOT NULL, params JSON NOT NULL, provider VARCHAR NOT NULL,
     subject_kind VARCHAR NOT NULL, declaration_id VARCHAR, line_no INTEGER, row_id BIGINT,
     score DOUBLE NOT NULL, reason VARCHAR NOT NULL, evidence JSON NOT NULL, row_ids BIGINT[] NOT NULL)`,
  // The dataset category an anomaly discloses (a payment mismatch reveals payments): the scope layer filters
  // anomalies by it, so a role without financial data never reads a payment through an anomaly.
  `ALTER TABLE anomalies ADD COLUMN IF NOT EXISTS category VARCHAR DEFAULT 'trade'`,
  // What the anomaly is about, stable across runs (subject-key.ts): runs are compared on (detector, subject_key).
  `ALTER TABLE anomalies ADD COLUMN IF NOT EXISTS subject_key VARCHAR`,
  // Current trade lines of the provider the run read: the population the combined ranking calibrates against.
  `ALTER TABLE analysis_runs ADD COLUMN IF NOT EXISTS lines BIGINT`,
  // The data a finding was computed from, as 'category:provider' (run-analysis.ts): the scope layer shows it
  // only to a scope that may read every one of them, so no statistic over another provider's rows is shown.
  `ALTER TABLE anomalies ADD COLUMN IF NOT EXISTS basis VARCHAR[]`,
  // learned-risk models (train-risk-model.ts): one row per model, one per learned feature level. Scoped
  // 'trade' tables like the lines they were learned from: a model's rates are facts about one provider's lines.
  `CREATE TABLE IF NOT EXISTS risk_models (model_id VARCHAR NOT NULL PRIMARY KEY, model_seq INTEGER NOT NULL,
     provider VARCHAR NOT NULL, label VARCHAR NOT NULL, trained_at TIMESTAMP NOT NULL, principal VARCHAR NOT NULL,
     batches VARCHAR[] NOT NULL, format INTEGER NOT NULL, features VARCHAR[] NOT NULL, params JSON NOT NULL,
     bins JSON NOT NULL, intercept DOUBLE NOT NULL, coefficients JSON NOT NULL, base_rate DOUBLE NOT NULL,
     metrics JSON NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS risk_model_terms (model_id VARCHAR NOT NULL, provider VARCHAR NOT NULL,
     feature VARCHAR NOT NULL, level VARCHAR NOT NULL, n INTEGER NOT NULL, positives INTEGER NOT NULL,
     lift DOUBLE NOT NULL, weight DOUBLE NOT NULL, PRIMARY KEY (model_id, feature, level))`,
  // Trained ranking combinations (train-ranking.ts): weights per evidence family, fitted out of fold on the
  // labelled lines of some batches. A scoped 'trade' table like the models: facts about one provider's lines.
  `CREATE TABLE IF NOT EXISTS ranking_models (model_id VARCHAR NOT NULL PRIMARY KEY, model_seq INTEGER NOT NULL,
     provider VARCHAR NOT NULL, label VARCHAR NOT NULL, trained_at TIMESTAMP NOT NULL, principal VARCHAR NOT NULL,
     batches VARCHAR[] NOT NULL, run_id VARCHAR NOT NULL, risk_model_id VARCHAR, intercept DOUBLE NOT NULL,
     weights JSON NOT NULL, chosen VARCHAR NOT NULL, params JSON NOT NULL, metrics JSON NOT NULL)`,
];
