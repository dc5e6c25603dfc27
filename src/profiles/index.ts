export { loadProfile, builtinProfileNames, ProfileError } from './profile-registry.ts';
export { profileSchema, emitSets, normaliseMapping, type Profile, type FieldMapping, type FieldMappingObject, type RowCondition } from './profile-schema.ts';
