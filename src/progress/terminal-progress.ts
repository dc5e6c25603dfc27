import cliProgress from 'cli-progress';
import type { ProgressSink } from './progress.ts';

function formatUnit(n: number, unit: string): string {
  if (unit === 'bytes') return n >= 1 << 30 ? `${(n / (1 << 30)).toFixed(2)} GiB` : `${(n / (1 << 20)).toFixed(1)} MiB`;
  if (unit === '%') return `${Math.round(n)}%`;
  return n.toLocaleString('en-US');
}

/** A bar on stderr when it is a terminal; otherwise silent, so stdout stays clean for --json. */
export function terminalProgress(stream: NodeJS.WriteStream = process.stderr): ProgressSink {
  if (!stream.isTTY) return { stage() {}, update() {}, done() {} };
  let bar: cliProgress.SingleBar | null = null;
  let unit = 'rows';
  let total = 0;
  return {
    stage(label, t, u) {
      bar?.stop();
      unit = u;
      total = t;
      bar = new cliProgress.SingleBar(
        {
          stream,
          format: `${label.padEnd(22)} [{bar}] {percentage}% {doneText} / {totalText} eta {eta_formatted}`,
          hideCursor: true,
          clearOnComplete: false,
        },
        cliProgress.Presets.shades_classic,
      );
      bar.start(t, 0, { doneText: formatUnit(0, u), totalText: formatUnit(t, u) });
    },
    update(done) {
      bar?.update(Math.min(done, total), { doneText: formatUnit(done, unit), totalText: formatUnit(total, unit) });
    },
    done() {
      bar?.stop();
      bar = null;
    },
  };
}
