export { resolveParties, type ResolutionResult } from './resolve-parties.ts';
export { partyOverrides, type PartyOverrides, type PartyOverride, type MemberRef, type MemberSource } from './party-overrides.ts';
export { applyOverride, recordOverride, canResolve, memberRef, OverrideLookupError, type OverrideRequest, type OverrideResult } from './apply-override.ts';
export { resolutionJobs, type ResolutionJob, type ResolutionJobs, type ResolutionJobsDeps, type JobStatus } from './resolution-jobs.ts';
export { PARTY_DDL } from './party-schema.ts';
export { nameKeySql, allTokensSql, coreTokensSql, informativeTokensSql, skeletonSql } from './party-name-sql.ts';
export { searchParties, showParty, partyMembers, partyGraph, partyPath, assertNamedParties, MAX_SEARCH, MAX_CAP, MAX_DEPTH, MAX_HOPS } from './party-queries.ts';
export type { PartySummary, PartyProfile, PartyGraph, GraphNode, GraphEdge, PartyPath } from './party-queries.ts';
