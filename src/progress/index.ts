export { silentProgress, type ProgressSink } from './progress.ts';
export { terminalProgress } from './terminal-progress.ts';
