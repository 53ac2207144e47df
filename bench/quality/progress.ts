/**
 * The progress of one quality case over its whole schedule: a cli-progress bar on a terminal (epochs and the
 * batches of the current one, time left), one line per epoch otherwise (for `nohup` runs and CI), each with
 * the load average, since the machine may be shared.
 */
import * as os from 'node:os';
import cliProgress from 'cli-progress';
import type { Callback, Logs } from '../../src/index.js';

/** Load averages (1, 5, 15 min) rounded to 0.01. */
export const loadAverage = (): number[] => os.loadavg().map((v) => Math.round(v * 100) / 100);

function duration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  return h > 0 ? `${h}h${String(m).padStart(2, '0')}m` : `${m}m${String(Math.round(seconds % 60)).padStart(2, '0')}s`;
}

export class CaseProgress {
  private bar: cliProgress.SingleBar | undefined;
  private epochStart = 0;
  private readonly started = performance.now();
  private readonly firstEpoch: number;

  /**
   * @param name - the case, shown on every line.
   * @param epochs - epochs of the whole schedule.
   * @param done - epochs already done (a resumed run).
   */
  constructor(
    private readonly name: string,
    private readonly epochs: number,
    done: number,
    private readonly log: (m: string) => void,
  ) {
    this.firstEpoch = done;
    if (process.stderr.isTTY) {
      this.bar = new cliProgress.SingleBar(
        { format: `${name} [{bar}] epoch {epoch}/${epochs} | {eta_text} left | {info}`, hideCursor: true, stream: process.stderr },
        cliProgress.Presets.shades_classic,
      );
      this.bar.start(epochs, done, { epoch: done, eta_text: '?', info: done ? `resumed at epoch ${done}` : '' });
    }
  }

  /** Seconds left, from the pace of the epochs run in this process. */
  private left(epochsDone: number): number {
    const ran = epochsDone - this.firstEpoch;
    return ran > 0 ? (((performance.now() - this.started) / 1000) * (this.epochs - epochsDone)) / ran : NaN;
  }

  /** A callback for `fit` that moves the bar batch by batch within the epoch. */
  batches(epoch: number): Callback {
    return {
      onEpochBegin: () => {
        this.epochStart = performance.now();
      },
      onBatchEnd: (batch, _logs, control) => {
        this.bar?.update(epoch + (batch + 1) / control.batchesPerEpoch, { epoch: epoch + 1 });
      },
    };
  }

  /** Marks epoch `epoch` (0-based) done, with its logs. */
  epochDone(epoch: number, logs: Logs, extra = ''): void {
    const seconds = (performance.now() - this.epochStart) / 1000;
    const shown = Object.entries(logs).map(([k, v]) => `${k} ${v.toFixed(4)}`).join(', ');
    const info = `${shown}${extra ? `, ${extra}` : ''}, load ${loadAverage()[0]}`;
    if (this.bar) this.bar.update(epoch + 1, { epoch: epoch + 1, eta_text: duration(this.left(epoch + 1)), info });
    else this.log(`${this.name}: epoch ${epoch + 1}/${this.epochs} in ${seconds.toFixed(1)} s (${duration(this.left(epoch + 1))} left): ${info}`);
  }

  /** A message that does not break the bar. */
  note(message: string): void {
    if (this.bar) this.bar.update({ info: message });
    this.log(`${this.name}: ${message}`);
  }

  stop(): void {
    this.bar?.stop();
    this.bar = undefined;
  }
}
