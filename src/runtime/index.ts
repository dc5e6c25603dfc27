export { openRuntime, openControlRuntime, resolveDataDir, type Runtime, type ControlRuntime, type RuntimeOptions } from './open-runtime.ts';
export { audited, type ActionContext } from './audited.ts';
