export { openRuntime, resolveDataDir, type Runtime, type RuntimeOptions } from './open-runtime.ts';
