// A clip counter for long CLI work: a bar on an interactive stderr, else a line every 10% (cli-progress,
// as the model store's download bar).
import cliProgress from 'cli-progress';

export interface CountProgress {
  start(total: number): void;
  tick(item: string): void;
  stop(): void;
}

export function countProgress(label: string, stream: NodeJS.WriteStream, quiet = false): CountProgress {
  if (quiet) return { start() {}, tick() {}, stop() {} };
  if (stream.isTTY === true) {
    const bar = new cliProgress.SingleBar(
      { stream, format: `${label} [{bar}] {value}/{total} clips {eta_formatted} left`, hideCursor: true },
      cliProgress.Presets.shades_classic,
    );
    let done = 0;
    return {
      start: (total) => bar.start(total, 0),
      tick: () => bar.update(++done),
      stop: () => bar.stop(),
    };
  }
  let total = 0;
  let done = 0;
  let next = 0.1;
  return {
    start: (t) => {
      total = t;
      stream.write(`${label}: ${t} clips\n`);
    },
    tick: () => {
      done++;
      if (total > 0 && done / total >= next) {
        stream.write(`${label}: ${done}/${total} clips\n`);
        next = Math.floor((done / total) * 10) / 10 + 0.1;
      }
    },
    stop: () => undefined,
  };
}
