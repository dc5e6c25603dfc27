export { DETECTORS, detectorById } from './detector-registry.ts';
export { DetectorParamError, parseParams, type Detector } from './detector.ts';
export { runAnalysis, planRun, type RunRequest, type RunResult, type DetectorSummary } from './run-analysis.ts';
export { listAnomalies, getAnomaly, listRuns, latestRunId, MAX_ANOMALY_PAGE, type Anomaly, type AnomalyPage, type RunRecord } from './anomaly-queries.ts';
