export { PERMISSIONS, PERMISSION_NAMES, isPermission, type Permission } from './permissions.ts';
export { loadPolicyEngine, defaultPolicyDir, isRole, ROLES, PolicyLoadError, type PolicyEngine, type PolicySubject, type Role } from './policy-engine.ts';
export { decideAccess, type AccessDecision } from './scope-from-policy.ts';
