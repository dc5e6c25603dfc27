export { MEASURES, MISSING_MEASURES, RANKINGS, measureFormula, type TradeMeasure, type Ranking, type MeasureSourceId } from './catalogue.ts';
export { measuresQuery, periodStartOf, MAX_CELLS, MAX_TOP, OTHERS, type MeasuresSpec, type MeasuresResult, type Cell } from './measures-query.ts';
export { SOURCES, type MeasureSource } from './sources.ts';
export { suppressCells, failsPrimary, MIN_PARTIES, MAX_SHARE, type CellStats, type SuppressionReason } from './suppression.ts';
