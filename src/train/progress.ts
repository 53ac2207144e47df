/**
 * Progress reporting for the training loop: a cli-progress bar when stdout is a terminal, one line per
 * epoch otherwise, nothing with `verbose: 0`.
 * @module
 */
import type { SingleBar } from 'cli-progress';
import { hasNodeModules, nodeModules } from '../core/environment.js';
import type { Callback, Logs, TrainingControl } from './callbacks.js';

/**
 * 0: silent; 1: a progress bar on a TTY, else one line per epoch; 2: one line per epoch.
 * @category Training
 */
export type Verbosity = 0 | 1 | 2;

/** Formats epoch logs as `loss 0.0312 - valLoss 0.0330`; the `counts` (a GAN's `dUpdates`) as integers. */
export function formatLogs(logs: Logs, counts: readonly string[] = []): string {
  return Object.entries(logs)
    .map(([k, v]) => {
      if (counts.includes(k) && Number.isInteger(v)) return `${k} ${v}`;
      return `${k} ${Math.abs(v) >= 1e4 || (Math.abs(v) < 1e-3 && v !== 0) ? v.toExponential(3) : v.toFixed(4)}`;
    })
    .join(' - ');
}

function isTTY(): boolean {
  return typeof process !== 'undefined' && !!process.stdout && process.stdout.isTTY === true;
}

/**
 * Prints training progress.
 *
 * @example
 * ```ts
 * await ae.fit(x, { epochs: 5, callbacks: [new ProgressLogger(2)] }); // same as verbose: 2
 * ```
 */
export class ProgressLogger implements Callback {
  private bar: SingleBar | undefined;
  private epochStart = 0;
  private readonly useBar: boolean;
  private barModule: typeof import('cli-progress') | undefined;

  /**
   * @param verbose - see {@link Verbosity}.
   * @param write - where lines go; default `console.log`.
   * @param counts - logs that are counts, printed as integers (a task's `summedLogs`).
   */
  constructor(
    private readonly verbose: Verbosity,
    private readonly write: (line: string) => void = (line) => console.log(line),
    private readonly counts: readonly string[] = [],
  ) {
    this.useBar = verbose === 1 && isTTY() && hasNodeModules();
  }

  async onTrainBegin(): Promise<void> {
    // Loaded only for a terminal, through the Node-only platform module (cli-progress needs `readline`).
    if (this.useBar) this.barModule = await (await nodeModules('ProgressLogger', 'draws a terminal bar', 'use verbose: 2')).cliProgress();
  }

  onEpochBegin(epoch: number, _logs: Logs, control: TrainingControl): void {
    this.epochStart = Date.now();
    if (this.barModule) {
      const { SingleBar, Presets } = this.barModule;
      this.bar = new SingleBar(
        {
          format: `epoch ${epoch + 1}/${control.epochs} [{bar}] {value}/{total} {eta_formatted} {logs}`,
          hideCursor: true,
          clearOnComplete: true,
        },
        Presets.shades_classic,
      );
      this.bar.start(control.batchesPerEpoch, 0, { logs: '' });
    }
  }

  onBatchEnd(batch: number, logs: Logs): void {
    if (!this.bar) return;
    const { size: _size, ...shown } = logs;
    this.bar.update(batch + 1, { logs: formatLogs(shown, this.counts) });
  }

  onEpochEnd(epoch: number, logs: Logs, control: TrainingControl): void {
    this.bar?.stop();
    this.bar = undefined;
    if (this.verbose === 0) return;
    const seconds = ((Date.now() - this.epochStart) / 1000).toFixed(1);
    this.write(`epoch ${epoch + 1}/${control.epochs} - ${seconds}s - ${formatLogs(logs, this.counts)}`);
  }

  onTrainEnd(_logs: Logs, control: TrainingControl): void {
    this.bar?.stop();
    this.bar = undefined;
    if (this.verbose > 0 && control.stopReason) this.write(`stopped: ${control.stopReason}`);
  }
}
