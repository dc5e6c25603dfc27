export { DETECTORS, detectorById } from './detector-registry.ts';
export { DetectorParamError, parseParams, type Detector } from './detector.ts';
export { runAnalysis, planRun, type RunRequest, type RunResult, type DetectorSummary } from './run-analysis.ts';
export { listAnomalies, getAnomaly, listRuns, latestRunId, MAX_ANOMALY_PAGE, type Anomaly, type AnomalyPage, type RunRecord } from './anomaly-queries.ts';
export { listRanking, rankingQuery, parseWeightFlags, RankingParamError, DEFAULT_WEIGHT, MAX_RANKING_PAGE, type RankedLine, type RankingPage, type Weights } from './ranking.ts';
export { evaluate, readLabelsFile, EvaluateError, LABEL_COLUMNS, CUTOFFS, type Evaluation, type EvaluateRequest, type MethodMetrics, type LabelColumn, type LabelSource, type LabelledLine } from './evaluate.ts';
export { trainRiskModel, listRiskModels, parseTrainParams, RiskModelError, type RiskModel, type TrainParams, type FitMetrics } from './train-risk-model.ts';
export { FEATURE_NAMES } from './risk-features.ts';
export { compareRuns, listAnomalyChanges, previousRunId, RUN_CHANGES, SCORE_CHANGE, type RunChange, type RunComparison, type DetectorComparison } from './compare-runs.ts';
