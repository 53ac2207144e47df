/**
 * `sampleQuality`: a classifier's view of generated images, in the spirit of the Inception Score: how
 * many samples it recognises confidently (quality), and how evenly its labels spread over the classes
 * (diversity; a collapsed generator makes one or two classes).
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { release, toExamples, type DataInput } from '../data/input.js';
import { ConfigError, InputError } from '../core/errors.js';
import { field, is, optionsSchema } from '../core/options.js';

/**
 * A classifier: a tfjs-layers model, or a function, mapping a batch of samples to class probabilities `[N, K]`.
 *
 * @example
 * ```ts
 * const judge: SampleClassifier = (x) => tf.softmax(myLogits(x));
 * ```
 * @category Models
 */
export type SampleClassifier = tfl.LayersModel | ((x: tf.Tensor) => tf.Tensor);

/**
 * Options of {@link sampleQuality}.
 * @category Models
 */
export interface SampleQualityOptions {
  /** A sample is recognised when its top class probability is at least this, in (0, 1]. Default 0.9. */
  confidence?: number;
  /** Samples per classifier call. Default 256. */
  batchSize?: number;
  /**
   * The class each sample was generated as (a conditional GAN's requested labels), one integer per
   * sample: the result then says how often the classifier agrees (`agreement`).
   */
  labels?: ArrayLike<number> | tf.Tensor;
}

/**
 * What {@link sampleQuality} found.
 * @category Models
 */
export interface SampleQuality {
  /** Share of samples, in [0, 1], whose top class probability is >= `confidence`. */
  confidentShare: number;
  /** Samples per predicted class (argmax), in class order. */
  histogram: number[];
  /** Entropy of the predicted-label histogram, in nats: `log(K)` when every class is equally frequent. */
  labelEntropy: number;
  /** `labelEntropy / log(K)`, in [0, 1] (1: all classes equally frequent). */
  normalizedEntropy: number;
  /** Mean top class probability. */
  meanConfidence: number;
  /** Number of samples. */
  samples: number;
  /** With `labels`: share of samples, in [0, 1], whose top class is the label they were generated as. */
  agreement?: number;
}

const SAMPLE_QUALITY = optionsSchema<SampleQualityOptions>()('sampleQuality', {
  confidence: is.number({ min: 0, max: 1, minOpen: true }).default(0.9),
  batchSize: is.positiveInt().default(256),
  labels: field((v, p) => {
    const values = v instanceof tf.Tensor ? (v.rank === 1 ? Array.from(v.dataSync()) : undefined) : isArrayLike(v) ? Array.from(v) : undefined;
    if (values === undefined) throw new ConfigError(p, v, 'one integer class label per sample (an array, a typed array or a 1-D tensor)');
    const bad = values.findIndex((l) => !Number.isInteger(l) || l < 0);
    if (bad >= 0) throw new ConfigError(p, v, `integer class labels >= 0 (found ${values[bad]} at index ${bad})`);
    return values;
  }),
});

function isArrayLike(v: unknown): v is ArrayLike<number> {
  return Array.isArray(v) || (ArrayBuffer.isView(v) && !(v instanceof DataView));
}

/**
 * Classifies `samples` and summarises quality (confident share) and diversity (label entropy); given the
 * labels the samples were generated as, also how often the classifier agrees with them.
 * Outputs that do not sum to 1 are treated as logits and passed through a softmax.
 *
 * @param classifier - maps `[B, ...]` samples to `[B, K]` probabilities (or logits).
 * @param samples - generated examples in the classifier's input shape (never disposed).
 * @param options - see {@link SampleQualityOptions}.
 * @throws InputError when the classifier does not return `[B, K]` scores, or `labels` are not one per sample.
 * @example
 * ```ts
 * const q = sampleQuality(digitClassifier, gan.sample(1000));
 * console.log(`${(100 * q.confidentShare).toFixed(1)}% confident, entropy ${q.labelEntropy.toFixed(2)} / ${Math.log(10).toFixed(2)}`);
 * const asked = Array.from({ length: 1000 }, (_, i) => i % 10);
 * const c = sampleQuality(digitClassifier, cgan.sample(1000, { labels: asked }), { labels: asked });
 * console.log(`${(100 * c.agreement!).toFixed(1)}% classified as the digit asked for`);
 * ```
 * @category Models
 */
export function sampleQuality(classifier: SampleClassifier, samples: DataInput, options: SampleQualityOptions = {}): SampleQuality {
  const { confidence, batchSize, labels } = SAMPLE_QUALITY.check(options);
  const call = typeof classifier === 'function' ? classifier : (x: tf.Tensor) => classifier.predict(x) as tf.Tensor;
  if (typeof call !== 'function' || (typeof classifier !== 'function' && typeof classifier?.predict !== 'function')) {
    throw new ConfigError('sampleQuality.classifier', classifier, 'a tfjs-layers model or a function x => class probabilities');
  }
  const input = samples instanceof tf.Tensor ? samples : undefined;
  const owned = input ? { tensor: input, created: false } : toExamples(samples, 'samples', inferShape(samples));
  try {
    const x = owned.tensor;
    const n = x.shape[0]!;
    if (labels && labels.length !== n) throw new InputError('sampleQuality.labels', labels, `${n} labels, one per sample`);
    let histogram: number[] | undefined;
    let confident = 0;
    let agreeing = 0;
    let confidenceSum = 0;
    for (let start = 0; start < n; start += batchSize) {
      const size = Math.min(batchSize, n - start);
      const probs = tf.tidy(() => {
        const out = call(tf.slice(x, start, size));
        if (out.rank !== 2 || out.shape[0] !== size || out.shape[1]! < 2) {
          throw new InputError('sampleQuality.classifier output', out, `class scores of shape [${size}, K], K >= 2`);
        }
        const sums = tf.sum(out, 1);
        const isProb = tf.all(tf.logicalAnd(tf.less(tf.abs(tf.sub(sums, 1)), 1e-3), tf.greaterEqual(tf.min(out, 1), 0))).dataSync()[0];
        return isProb ? out : tf.softmax(out);
      });
      const k = probs.shape[1]!;
      const values = probs.dataSync();
      probs.dispose();
      const top = new Float32Array(size);
      const arg = new Int32Array(size);
      for (let i = 0; i < size; i++) {
        let best = -Infinity;
        for (let j = 0; j < k; j++) {
          const p = values[i * k + j]!;
          if (p > best) {
            best = p;
            arg[i] = j;
          }
        }
        top[i] = best;
      }
      histogram ??= new Array<number>(k).fill(0);
      for (let i = 0; i < size; i++) {
        if (labels && labels[start + i] === arg[i]) agreeing++;
        histogram[arg[i]!]!++;
        confidenceSum += top[i]!;
        if (top[i]! >= confidence) confident++;
      }
    }
    const h = histogram ?? [];
    let entropy = 0;
    for (const count of h) if (count > 0) entropy -= (count / n) * Math.log(count / n);
    return {
      confidentShare: n ? confident / n : 0,
      histogram: h,
      labelEntropy: entropy,
      normalizedEntropy: h.length > 1 ? entropy / Math.log(h.length) : 0,
      meanConfidence: n ? confidenceSum / n : 0,
      samples: n,
      ...(labels ? { agreement: n ? agreeing / n : 0 } : {}),
    };
  } finally {
    release(owned);
  }
}

function inferShape(x: DataInput): number[] {
  if (ArrayBuffer.isView(x)) throw new InputError('samples', x, 'a tensor or nested arrays (a flat typed array has no example shape)');
  const shape: number[] = [];
  let cur: unknown = x;
  while (Array.isArray(cur)) {
    shape.push(cur.length);
    cur = cur[0];
  }
  if (shape.length < 2) throw new InputError('samples', x, 'examples on the first axis, [N, ...]');
  return shape.slice(1);
}
