export { loadProfile, builtinProfileNames, ProfileError } from './profile-registry.ts';
export { profileSchema, emitSets, normaliseMapping, type Profile, type FieldMapping, type FieldMappingObject } from './profile-schema.ts';
