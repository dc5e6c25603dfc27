/**
 * Progress reporting for long work. Library code reports into a sink; the CLI decides whether that is a
 * bar on a terminal or nothing (pipes, --json, tests), so library output never corrupts machine output.
 */
export interface ProgressSink {
  stage(label: string, total: number, unit: 'bytes' | 'rows' | '%'): void;
  update(done: number): void;
  done(): void;
}

export const silentProgress: ProgressSink = { stage() {}, update() {}, done() {} };
