// Synthetic data generator: declarations, payments, mirror statistics, a watch list and the labels of
// every anomaly injected into them, for testing and evaluating the detectors.
//
// Invariants, and why they hold:
// - Same (seed, rows, start, months, anomalyRate) => byte-identical files. Every random draw is
//   hash(seed, key, salt) of the row's own key (random-sql.ts), never random(), so it does not depend on
//   thread scheduling; sums run on DECIMAL (exact, order-free); every window and pick is ordered by a
//   total key; every file is one COPY ... ORDER BY its natural key; the manifest has no timestamp.
// - Generation happens inside DuckDB with SQL only. JavaScript sends statements and reads back a handful
//   of counts; rows stream from range() through tables to COPY, so 10 million lines never sit in the
//   JavaScript heap.
// - labels.csv lists exactly what was injected: each injection rewrites lines through one ledger
//   (anomaly-ledger.ts) and writes its labels in the same step; a line carries at most one injected
//   anomaly and a party at most one party-level anomaly, so a label's numbers are the anomaly's own.
// - Each anomaly is shaped so the default rule of its detector (detectors.md) catches it while clean
//   groups stay clean: clean unit-price noise is bounded (uniform, +-0.3 in log space) inside hs6 x
//   origin groups, and each injection states in its file which threshold it clears and by how much.
// - Clean structure: Zipf-like party sizes (power transforms), seasonal dates (February dip, Q4 peak),
//   heavy-tailed prices across products, stable importer-supplier relationships and home chapters,
//   ports from reference/ports.csv weighted by traffic and consistent with the transport mode.
export { generateDataset, GENERATOR_VERSION } from './generate-dataset.ts';
export { DETECTOR_IDS, type DetectorId } from './anomaly-plan.ts';
export type { GenerateOptions, GenerateResult } from './types.ts';
