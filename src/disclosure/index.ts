export { CELL_KEY_MODULUS, cellKeySql, recordKeySql } from './cell-key.ts';
export { DEFAULT_PERTURBATION, perturbationKind, perturber, uniform, type PerturbationKind, type PerturbationParams, type Perturber } from './perturb.ts';
export { buildPTable, countNoise, type PTable, type PTableParams, type PTableRow } from './ptable.ts';
export { assertPublished, PUBLISHED, type PublishedDataset } from './published.ts';
export { loadOrCreateCellKeySecret, CELL_KEY_SECRET_FILE } from './secret.ts';
