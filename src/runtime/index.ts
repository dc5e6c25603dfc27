export { openRuntime, openControlRuntime, resolveDataDir, type Runtime, type ControlRuntime, type RuntimeOptions } from './open-runtime.ts';
export { audited, specDetail, type ActionContext } from './audited.ts';
