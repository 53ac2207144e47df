/**
 * `ganBalanceMonitor`: a training callback that notices when the discriminator wins. When it classifies
 * nearly everything right epoch after epoch while the generator's loss keeps rising, the generator gets
 * no useful gradient and stops learning; the monitor says so and names the knobs that rebalance the game.
 * `GAN.fit` adds one by default (messages go to `console.warn`); pass `balanceMonitor: false` to turn it off.
 * @module
 */
import { is, optionsSchema } from '../../core/options.js';
import type { Callback, Logs } from '../../train/callbacks.js';

/**
 * What the monitor saw when it warned.
 * @category Models
 */
export interface GANImbalance {
  /** 0-based epoch at which the warning fired. */
  epoch: number;
  /** Consecutive epochs the condition held. */
  epochs: number;
  /** Mean discriminator accuracy (real and fake averaged) over those epochs. */
  dAccuracy: number;
  /** Generator loss at the start and at the end of those epochs. */
  gLossFrom: number;
  gLossTo: number;
}

/**
 * Options of {@link ganBalanceMonitor}.
 * @category Models
 */
export interface GANBalanceMonitorOptions {
  /** Epochs the imbalance must last before the monitor warns (>= 2). Default 3. */
  patience?: number;
  /** The discriminator "wins" when `(dAccuracyReal + dAccuracyFake) / 2` is at least this, in (0.5, 1]. Default 0.95. */
  accuracyThreshold?: number;
  /** Receives the message and the details. Default `console.warn(message)`. */
  onWarning?: (message: string, details: GANImbalance) => void;
}

/**
 * The warning's text: what happened, and what to change.
 *
 * @example
 * ```ts
 * imbalanceMessage({ epoch: 9, epochs: 3, dAccuracy: 0.99, gLossFrom: 2.1, gLossTo: 3.4 });
 * ```
 */
export function imbalanceMessage(d: GANImbalance): string {
  return (
    `latentkit: GAN imbalance: for ${d.epochs} epochs (up to epoch ${d.epoch + 1}) the discriminator was right ` +
    `about ${(100 * d.dAccuracy).toFixed(1)}% of real and generated examples while the generator's loss rose from ` +
    `${d.gLossFrom.toPrecision(3)} to ${d.gLossTo.toPrecision(3)}: the discriminator is winning and the generator ` +
    'gets little gradient. Rebalance it: lower the discriminator\'s learning rate (fit option dLearningRate), ' +
    'give the generator more steps per discriminator step (gStepsPerD: 2), or regularize the discriminator ' +
    '(labelSmoothing: 0.1 for one-sided label smoothing, instanceNoise: { stddev: 0.1, anneal: true }).'
  );
}

/** The checker's fields of {@link GANBalanceMonitorOptions}. */
export const BALANCE_MONITOR_OPTIONS = optionsSchema<GANBalanceMonitorOptions>()('ganBalanceMonitor', {
  patience: is.intAtLeast(2, 'an integer >= 2 (a rise needs two epochs)').default(3),
  accuracyThreshold: is.number({ min: 0.5, max: 1, minOpen: true }).default(0.95),
  onWarning: is.func<(message: string, details: GANImbalance) => void>('a function (message, details) => void').default(() => (message: string) => console.warn(message)),
});

/**
 * A callback that warns once per episode when, for `patience` consecutive epochs, the discriminator's
 * accuracy stays at or above `accuracyThreshold` while the generator's loss rises (higher at the end of
 * the window than at its start, and never falling by more than it rose). It reads the epoch logs
 * `dAccuracyReal`, `dAccuracyFake` and `gLoss` that `GAN.fit` writes; after a warning it stays quiet until
 * the condition has cleared.
 *
 * @example
 * ```ts
 * const warnings: string[] = [];
 * await gan.fit(x, { epochs: 30, balanceMonitor: false, callbacks: [ganBalanceMonitor({ patience: 4, onWarning: (m) => warnings.push(m) })] });
 * ```
 * @category Models
 */
export function ganBalanceMonitor(options: GANBalanceMonitorOptions = {}): Callback {
  const { patience, accuracyThreshold: threshold, onWarning } = BALANCE_MONITOR_OPTIONS.check(options);
  let window: { accuracy: number; gLoss: number }[] = [];
  let warned = false;
  return {
    onTrainBegin() {
      window = [];
      warned = false;
    },
    onEpochEnd(epoch: number, logs: Logs) {
      const real = logs['dAccuracyReal'];
      const fake = logs['dAccuracyFake'];
      const gLoss = logs['gLoss'];
      if (real === undefined || fake === undefined || gLoss === undefined) return;
      const accuracy = (real + fake) / 2;
      if (accuracy < threshold) {
        window = [];
        warned = false;
        return;
      }
      window.push({ accuracy, gLoss });
      if (window.length > patience) window.shift();
      if (warned || window.length < patience) return;
      const first = window[0]!.gLoss;
      const last = window[window.length - 1]!.gLoss;
      const rise = last - first;
      let worstDrop = 0;
      for (let i = 1; i < window.length; i++) worstDrop = Math.max(worstDrop, window[i - 1]!.gLoss - window[i]!.gLoss);
      if (!(rise > 0) || worstDrop > rise) return;
      warned = true;
      const details: GANImbalance = {
        epoch,
        epochs: window.length,
        dAccuracy: window.reduce((s, w) => s + w.accuracy, 0) / window.length,
        gLossFrom: first,
        gLossTo: last,
      };
      onWarning(imbalanceMessage(details), details);
    },
  };
}
