export { openRuntime, resolveDataDir, type Runtime, type RuntimeOptions } from './open-runtime.ts';
export { audited, type ActionContext } from './audited.ts';
