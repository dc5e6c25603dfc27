export { loadReferenceTable, seedReferenceDefaults, REFERENCE_KINDS, REFERENCE_DIR, type ReferenceKind } from './reference-data.ts';
