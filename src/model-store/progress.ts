// Download progress: a bar on an interactive stderr, else a log line every 10% (or every 10 s).
import cliProgress from 'cli-progress';
import type { DownloadProgress } from './download.js';

export interface ProgressLog {
  info(fields: Record<string, unknown>, message: string): void;
}

const mb = (bytes: number) => (bytes / 1e6).toFixed(1);

export function createProgress(
  label: string,
  stream: NodeJS.WriteStream,
  log: ProgressLog,
  now: () => number = Date.now,
): DownloadProgress {
  return stream.isTTY === true ? barProgress(label, stream) : logProgress(label, log, now);
}

function barProgress(label: string, stream: NodeJS.WriteStream): DownloadProgress {
  const bar = new cliProgress.SingleBar(
    { stream, format: `${label} [{bar}] {percentage}% {value_mb}/{total_mb} MB`, hideCursor: true },
    cliProgress.Presets.shades_classic,
  );
  let total = 0;
  return {
    start(totalBytes, resumedFromBytes) {
      total = totalBytes ?? 0;
      bar.start(total, resumedFromBytes, { value_mb: mb(resumedFromBytes), total_mb: mb(total) });
    },
    update(received) {
      bar.update(received, { value_mb: mb(received), total_mb: mb(total) });
    },
    stop() {
      bar.stop();
    },
  };
}

function logProgress(label: string, log: ProgressLog, now: () => number): DownloadProgress {
  let total: number | undefined;
  let nextPercent = 10;
  let lastLogMs = 0;
  return {
    start(totalBytes, resumedFromBytes) {
      total = totalBytes;
      lastLogMs = now();
      nextPercent = total === undefined ? 0 : Math.floor((resumedFromBytes / total) * 10) * 10 + 10;
      log.info({ model: label, totalBytes, resumedFromBytes }, 'download started');
    },
    update(received) {
      const percent = total === undefined ? undefined : (received / total) * 100;
      const due = (percent !== undefined && percent >= nextPercent) || now() - lastLogMs >= 10_000;
      if (!due) return;
      if (percent !== undefined) nextPercent = Math.floor(percent / 10) * 10 + 10;
      lastLogMs = now();
      log.info(
        { model: label, receivedBytes: received, totalBytes: total, percent: percent?.toFixed(0) },
        'downloading',
      );
    },
    stop() {},
  };
}
