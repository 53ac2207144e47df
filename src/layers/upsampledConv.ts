/**
 * Nearest-neighbour upsampling followed by a stride-1 'same' convolution, computed as convolutions of the
 * small input: an upsampling decoder stage (`UpSampling2D(size)` + `Conv2D(filters, kernelSize, 'same')`)
 * in one layer, without ever building the upsampled feature map.
 *
 * Output row `s*i + a` (row phase `a` of upsampling factor `s`) reads, through tap `u` of the kernel, the
 * upsampled row `s*i + a + u - top`, i.e. input row `i + floor((a + u - top) / s)`; zero padding of the
 * upsampled map is zero padding of the input. So each row phase is a stride-1 convolution of the input with
 * a kernel whose taps are sums of the original taps (rows falling on the same input row add up), all column
 * phases side by side in its output channels; the row phases interleave by a concatenation. For a 3x3 kernel
 * and factor 2 that is 2/3 of the upsampled convolution's multiply-adds (1/2 at factor 4), on inputs 4 (16)
 * times smaller, and no resize or resize gradient. A stage with few output channels (filters x factor² <= 8,
 * an image's output stage) runs all row phases as one convolution to `sh * sw * filters` channels over the
 * rows any phase reads (zero taps where a phase reads none) and interleaves them by one transpose: XNNPACK
 * computes 4 channels for the cost of 2, and the stage has one convolution and one filter gradient, not sh.
 *
 * The weights are the convolution's own (`kernel` [kh, kw, in, filters], `bias` [filters], named as a
 * Conv2D layer's), and the phase kernels are derived from them on every call, so a model saved with
 * UpSampling2D + Conv2D loads into this layer and gradients reach the same weights. Results agree with the
 * two-layer form to float32 rounding (taps are summed before multiplying).
 *
 * @example
 * ```ts
 * const stage = new UpsampledConv2D({ size: [2, 2], filters: 32, kernelSize: 3, activation: 'relu', name: 'decoder_2_conv' });
 * const y = stage.apply(x) as tf.Tensor4D; // = conv2d(upSampling2d(x, 2), kernel, 'same') + bias, relu
 * ```
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { ConfigError } from '../core/errors.js';
import { JOIN_PHASES_MAX_CHANNELS, kernelOptions } from '../backend/wasm/util.js';

/** The base arguments every tfjs-layers layer takes (`name`, `inputShape`, `trainable`, ...). */
type LayerArgs = NonNullable<ConstructorParameters<typeof tfl.layers.Layer>[0]>;
type Initializer = ReturnType<typeof tfl.initializers.glorotUniform>;
type ActivationName = NonNullable<Parameters<typeof tfl.layers.activation>[0]>['activation'];

/** Arguments of {@link UpsampledConv2D}. */
export interface UpsampledConv2DArgs extends LayerArgs {
  /** Upsampling factors `[rows, columns]` (nearest neighbour, as UpSampling2D). */
  size: [number, number];
  /** Output channels of the convolution. */
  filters: number;
  /** Kernel size of the convolution, one number or `[height, width]`. */
  kernelSize: number | [number, number];
  /** tfjs-layers activation identifier applied after the bias. Default `'linear'`. */
  activation?: ActivationName;
  /** Initializer of the kernel. Default: Glorot uniform. Not saved (a loaded model has its weights). */
  kernelInitializer?: Initializer;
}

/** One row phase: the input-row offsets its kernel spans and how each original tap contributes. */
interface RowPhase {
  /** Input-row offset of the phase kernel's first row (<= 0), and its number of rows. */
  first: number;
  rows: number;
  /** [rows * columns * sw, kh * kw] mixing matrix, row-major: phase-kernel tap (r, q, b) from original tap (u, v). */
  mix: Float32Array;
}

/** Input offset that tap `t` of output phase `p` reads: floor((p + t - before) / factor). */
const offsetOf = (p: number, t: number, before: number, factor: number) => Math.floor((p + t - before) / factor);

/**
 * `UpSampling2D(size)` then `Conv2D(filters, kernelSize, padding 'same', stride 1)` with a bias and an
 * activation, computed as one stride-1 convolution of the small input per row phase (see the module).
 */
export class UpsampledConv2D extends tfl.layers.Layer {
  /** Registered class name, used when a saved model is loaded. */
  static className = 'LatentkitUpsampledConv2D';
  readonly size: [number, number];
  readonly filters: number;
  readonly kernelSize: [number, number];
  readonly activationName: ActivationName;
  private readonly kernelInitializer: Initializer;
  private readonly activationLayer: tfl.layers.Layer | undefined;
  private kernel: tfl.LayerVariable | undefined;
  private bias: tfl.LayerVariable | undefined;
  private phases: RowPhase[] = [];
  private columns = { first: 0, count: 0 };
  /** All row phases as one convolution (few output channels): its rows and mixing matrix, else undefined. */
  private joined: RowPhase | undefined;
  /** The row phases' mixing matrices one above the other, for one product per call (`phaseKernels`). */
  private stacked = new Float32Array(0);

  constructor(args: UpsampledConv2DArgs) {
    super(args);
    const { size, filters, kernelSize, activation = 'linear', kernelInitializer } = args;
    const positive = (v: number) => Number.isInteger(v) && v > 0;
    const k: [number, number] = typeof kernelSize === 'number' ? [kernelSize, kernelSize] : kernelSize;
    const pair = (v: unknown) => Array.isArray(v) && v.length === 2 && v.every(positive);
    const bad = (name: string, v: unknown, want: string) => new ConfigError(`UpsampledConv2D.${name}`, v, want);
    if (!pair(size)) throw bad('size', size, 'two positive integers [rows, columns]');
    if (!pair(k)) throw bad('kernelSize', kernelSize, 'a positive integer or two');
    if (!positive(filters)) throw bad('filters', filters, 'a positive integer');
    this.size = [size[0], size[1]];
    this.filters = filters;
    this.kernelSize = k;
    this.activationName = activation;
    this.kernelInitializer = kernelInitializer ?? tfl.initializers.glorotUniform({});
    this.activationLayer = activation === 'linear' ? undefined : tfl.layers.activation({ activation });
  }

  override build(inputShape: tfl.Shape | tfl.Shape[]): void {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tfl.Shape;
    const channels = shape[shape.length - 1];
    if (typeof channels !== 'number') throw new Error('UpsampledConv2D: the input needs a known number of channels.');
    const [kh, kw] = this.kernelSize;
    // Named and shaped as a Conv2D layer's weights, so that saves of UpSampling2D + Conv2D load here.
    this.kernel = this.addWeight('kernel', [kh, kw, channels, this.filters], 'float32', this.kernelInitializer, undefined, true);
    this.bias = this.addWeight('bias', [this.filters], 'float32', tfl.initializers.zeros(), undefined, true);
    const [sh, sw] = this.size;
    // 'same' with stride 1: the padding before is floor((k - 1) / 2), as TensorFlow pads.
    const top = Math.floor((kh - 1) / 2);
    const left = Math.floor((kw - 1) / 2);
    const colFirst = offsetOf(0, 0, left, sw);
    const colCount = offsetOf(sw - 1, kw - 1, left, sw) - colFirst + 1;
    this.columns = { first: colFirst, count: colCount };
    this.phases = [];
    for (let a = 0; a < sh; a++) {
      const first = offsetOf(a, 0, top, sh);
      const rows = offsetOf(a, kh - 1, top, sh) - first + 1;
      const mix = new Float32Array(rows * colCount * sw * kh * kw);
      for (let u = 0; u < kh; u++) {
        const r = offsetOf(a, u, top, sh) - first;
        for (let b = 0; b < sw; b++) {
          for (let v = 0; v < kw; v++) {
            const q = offsetOf(b, v, left, sw) - colFirst;
            mix[((r * colCount + q) * sw + b) * kh * kw + u * kw + v] = 1;
          }
        }
      }
      this.phases.push({ first, rows, mix });
    }
    this.stacked = new Float32Array(this.phases.reduce((sum, p) => sum + p.mix.length, 0));
    let at = 0;
    for (const p of this.phases) {
      this.stacked.set(p.mix, at);
      at += p.mix.length;
    }
    this.joined = undefined;
    if (kernelOptions.upsampledConvJoinPhases && sh > 1 && this.filters * sh * sw <= JOIN_PHASES_MAX_CHANNELS) {
      // One convolution to sh * sw * filters channels over the rows every phase reads (the taps a phase does
      // not read are zero): [rows, colCount, sh, sw] phase-kernel taps, phase a's row r at union row first_a + r.
      const first = this.phases[0]!.first;
      const rows = Math.max(...this.phases.map((p) => p.first + p.rows)) - first;
      const k = kh * kw;
      const mix = new Float32Array(rows * colCount * sh * sw * k);
      this.phases.forEach((p, a) => {
        for (let r = 0; r < p.rows; r++) {
          for (let q = 0; q < colCount; q++) {
            for (let b = 0; b < sw; b++) {
              const from = ((r * colCount + q) * sw + b) * k;
              const to = ((((p.first - first + r) * colCount + q) * sh + a) * sw + b) * k;
              mix.set(p.mix.subarray(from, from + k), to);
            }
          }
        }
      });
      this.joined = { first, rows, mix };
    }
    this.built = true;
  }

  override computeOutputShape(inputShape: tfl.Shape | tfl.Shape[]): tfl.Shape {
    const s = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tfl.Shape;
    const up = (d: number | null, f: number) => (d === null ? null : d * f);
    return [s[0]!, up(s[1]!, this.size[0]), up(s[2]!, this.size[1]), this.filters];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = (Array.isArray(inputs) ? inputs[0]! : inputs) as tf.Tensor4D;
      const [n, h, w] = x.shape;
      const [sh, sw] = this.size;
      const f = this.filters;
      let up: tf.Tensor;
      if (this.joined) {
        // [n, h, w, sh * sw * f] read as [n, h, w, sh, sw * f]: rows of each phase interleaved by one transpose.
        const [k] = this.phaseKernels(x.shape[3], [this.joined], this.joined.mix, sh * sw);
        const out = tf.reshape(this.phaseConv(x, k!, this.joined), [n, h, w, sh, sw * f]);
        up = tf.transpose(out, [0, 1, 3, 2, 4]);
      } else {
        // Each phase's [n, h, w, sw * f] read as [n, h, 1, w * sw * f]: the columns of its row phase, interleaved.
        const kernels = this.phaseKernels(x.shape[3], this.phases, this.stacked, sw);
        const rows = this.phases.map((phase, a) => tf.reshape(this.phaseConv(x, kernels[a]!, phase), [n, h, 1, w * sw * f]));
        up = rows.length === 1 ? rows[0]! : tf.concat(rows, 2);
      }
      const y = tf.add(tf.reshape(up, [n, h * sh, w * sw, f]), this.bias!.read());
      return this.activationLayer ? (this.activationLayer.apply(y) as tf.Tensor) : y;
    });
  }

  /**
   * The kernels [taps, colCount, c, groups * f] of `phases`, derived from the original taps by one product of
   * their mixing matrices stacked (`mix`) with the kernel viewed as [kh * kw, c * f] (differentiable: its
   * gradient is one product too), with `groups` output phases side by side in each kernel's channels (the
   * column phases of a row phase, or every phase of the joined form).
   */
  private phaseKernels(c: number, phases: readonly RowPhase[], mix: Float32Array, groups: number): tf.Tensor4D[] {
    const [kh, kw] = this.kernelSize;
    const f = this.filters;
    const colCount = this.columns.count;
    const taps = phases.reduce((sum, p) => sum + p.rows * colCount, 0);
    const flat = tf.reshape(this.kernel!.read(), [kh * kw, c * f]);
    const mixed = tf.matMul(tf.tensor2d(mix, [taps * groups, kh * kw]), flat);
    // [taps, groups, c, f] -> [taps, c, groups, f]: each tap's phases side by side for every input channel.
    const all = tf.transpose(tf.reshape(mixed, [taps, groups, c, f]), [0, 2, 1, 3]);
    const parts = phases.length === 1 ? [all] : tf.split(all, phases.map((p) => p.rows * colCount), 0);
    return parts.map((part, i) => tf.reshape(part, [phases[i]!.rows, colCount, c, groups * f]) as tf.Tensor4D);
  }

  /** The stride-1 convolution of x with one phase kernel (`phaseKernels`). Returns [n, h, w, groups * f]. */
  private phaseConv(x: tf.Tensor4D, k: tf.Tensor4D, { first, rows: taps }: RowPhase): tf.Tensor4D {
    const { first: colFirst, count: colCount } = this.columns;
    const pad: [[number, number], [number, number], [number, number], [number, number]] = [
      [0, 0],
      [-first, first + taps - 1],
      [-colFirst, colFirst + colCount - 1],
      [0, 0],
    ];
    return tf.conv2d(x, k, 1, pad);
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), size: this.size, filters: this.filters, kernelSize: this.kernelSize, activation: this.activationName };
  }
}
tf.serialization.registerClass(UpsampledConv2D);
