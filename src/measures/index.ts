export { MEASURES, MISSING_MEASURES, measureFormula, type TradeMeasure } from './catalogue.ts';
export { measuresQuery, MAX_CELLS, type MeasuresSpec, type MeasuresResult, type Cell } from './measures-query.ts';
export { suppressCells, failsPrimary, MIN_PARTIES, MAX_SHARE, type CellStats, type SuppressionReason } from './suppression.ts';
