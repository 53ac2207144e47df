/**
 * tfjs's Adam, SGD/momentum and RMSprop with the update fused into one kernel per variable on the wasm and
 * cpu backends (`../backend/fusedUpdates.ts`). Each class extends tfjs's own optimizer and keeps its state
 * in tfjs's fields, so everything but the update is tfjs's: `getWeights`/`setWeights` (the state a
 * `model.save` with `includeOptimizer` writes, and loads back into either class), `getConfig`, the class
 * name in serialised configs (`'Adam'`...), `dispose`. The new weights and state are bit for bit those of
 * tfjs's update on the same backend. Other backends (webgl, tensorflow), and calls with tensors that are not
 * float32, go to tfjs's own update.
 *
 * @example
 * ```ts
 * const optimizer = new FusedAdam(1e-3, 0.9, 0.999); // a tf.Optimizer: use it wherever tf.train.adam's is used
 * optimizer.applyGradients(grads);
 * ```
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';
import { kernelOptions } from '../backend/wasm/util.js';
import {
  ADAM_UPDATE,
  MOMENTUM_UPDATE,
  RMSPROP_UPDATE,
  type AdamUpdateAttrs,
  type MomentumUpdateAttrs,
  type RMSPropUpdateAttrs,
} from '../backend/fusedUpdates.js';

/** What `applyGradients` takes: gradients by variable name, or a list of `{ name, tensor }`. */
type Gradients = Parameters<tf.AdamOptimizer['applyGradients']>[0];
/** One slot of tfjs's optimizer state: a variable per trained variable, by position. */
type Slot = { originalName: string; variable: tf.Variable };

/** Whether `kernel` runs on the active backend and every tensor is float32. */
function fusable(kernel: string, tensors: Array<tf.Tensor | undefined>): boolean {
  if (!kernelOptions.fusedOptimizers || tf.getKernel(kernel, tf.getBackend()) === undefined) return false;
  return tensors.every((t) => t === undefined || t.dtype === 'float32');
}

/** The variables and gradients of an `applyGradients` call, in tfjs's order (slots are indexed by position). */
function entries(grads: Gradients): Array<{ name: string; value: tf.Variable; gradient: tf.Tensor | undefined }> {
  const named: Array<readonly [string, tf.Tensor | null | undefined]> = Array.isArray(grads) ? grads.map((g) => [g.name, g.tensor] as const) : Object.entries(grads);
  return named.map(([name, gradient]) => ({ name, value: tf.engine().registeredVariables[name]!, gradient: gradient ?? undefined }));
}

/** A zero-filled state variable for `value`, created as tfjs's optimizers create theirs. */
function slot(slots: Slot[], i: number, value: tf.Variable, suffix: string): tf.Variable {
  slots[i] ??= { originalName: `${value.name}/${suffix}`, variable: tf.tidy(() => tf.zerosLike(value).variable(false)) };
  return slots[i].variable;
}

/** Runs a fused update kernel and assigns its outputs to `targets` (the variable, then its state). */
function update(kernel: string, inputs: tf.NamedTensorMap, attrs: object, targets: tf.Variable[]): void {
  const outs = tf.engine().runKernel(kernel, inputs, attrs as tf.NamedAttrMap) as unknown as tf.Tensor[];
  targets.forEach((t, k) => t.assign(outs[k]!));
  tf.dispose(outs);
}

/** tfjs's private Adam state. */
interface AdamState {
  learningRate: number;
  beta1: number;
  beta2: number;
  epsilon: number;
  accBeta1: tf.Variable;
  accBeta2: tf.Variable;
  accumulatedFirstMoment: Slot[];
  accumulatedSecondMoment: Slot[];
}

/**
 * `tf.train.adam` with a fused update on wasm and cpu (tfjs's class name `'Adam'`, state and results).
 * @category Training
 */
export class FusedAdam extends tf.AdamOptimizer {
  override applyGradients(grads: Gradients): void {
    const list = entries(grads);
    if (!fusable(ADAM_UPDATE, list.map((e) => e.gradient)) || !fusable(ADAM_UPDATE, list.map((e) => e.value))) {
      super.applyGradients(grads);
      return;
    }
    const s = this as unknown as AdamState;
    const attrs: AdamUpdateAttrs = { learningRate: s.learningRate, beta1: s.beta1, beta2: s.beta2, epsilon: s.epsilon };
    tf.tidy(() => {
      list.forEach(({ value, gradient }, i) => {
        const m = slot(s.accumulatedFirstMoment, i, value, 'm');
        const v = slot(s.accumulatedSecondMoment, i, value, 'v');
        if (gradient === undefined) return;
        update(ADAM_UPDATE, { x: value, g: gradient, m, v, accBeta1: s.accBeta1, accBeta2: s.accBeta2 }, attrs, [value, m, v]);
      });
      s.accBeta1.assign(tf.mul(s.accBeta1, s.beta1));
      s.accBeta2.assign(tf.mul(s.accBeta2, s.beta2));
    });
    this.incrementIterations();
  }
}

/** tfjs's private momentum state. */
interface MomentumState {
  learningRate: number;
  momentum: number;
  useNesterov: boolean;
  accumulations: Slot[];
}

/**
 * `tf.train.momentum` with a fused update on wasm and cpu (tfjs's class name `'Momentum'`, state and results).
 * @category Training
 */
export class FusedMomentum extends tf.MomentumOptimizer {
  override applyGradients(grads: Gradients): void {
    const list = entries(grads);
    if (!fusable(MOMENTUM_UPDATE, list.map((e) => e.gradient)) || !fusable(MOMENTUM_UPDATE, list.map((e) => e.value))) {
      super.applyGradients(grads);
      return;
    }
    const s = this as unknown as MomentumState;
    const attrs: MomentumUpdateAttrs = { learningRate: s.learningRate, momentum: s.momentum, nesterov: s.useNesterov };
    list.forEach(({ value, gradient }, i) => {
      const accumulation = slot(s.accumulations, i, value, 'momentum');
      if (gradient === undefined) return;
      update(MOMENTUM_UPDATE, { x: value, g: gradient, accumulation }, attrs, [value, accumulation]);
    });
    this.incrementIterations();
  }
}

/**
 * `tf.train.sgd` with a fused update on wasm and cpu (tfjs's class name `'SGD'` and results).
 * @category Training
 */
export class FusedSGD extends tf.SGDOptimizer {
  override applyGradients(grads: Gradients): void {
    const list = entries(grads);
    if (!fusable(MOMENTUM_UPDATE, list.map((e) => e.gradient)) || !fusable(MOMENTUM_UPDATE, list.map((e) => e.value))) {
      super.applyGradients(grads);
      return;
    }
    const attrs: MomentumUpdateAttrs = { learningRate: this.learningRate, momentum: 0, nesterov: false };
    for (const { value, gradient } of list) {
      if (gradient !== undefined) update(MOMENTUM_UPDATE, { x: value, g: gradient }, attrs, [value]);
    }
    this.incrementIterations();
  }
}

/** tfjs's private RMSprop state. */
interface RMSPropState {
  learningRate: number;
  decay: number;
  momentum: number;
  epsilon: number;
  centered: boolean;
  accumulatedMeanSquares: Slot[];
  accumulatedMoments: Slot[];
  accumulatedMeanGrads: Slot[];
}

/**
 * `tf.train.rmsprop` with a fused update on wasm and cpu (tfjs's class name `'RMSProp'`, state and results).
 * @category Training
 */
export class FusedRMSProp extends tf.RMSPropOptimizer {
  override applyGradients(grads: Gradients): void {
    const list = entries(grads);
    if (!fusable(RMSPROP_UPDATE, list.map((e) => e.gradient)) || !fusable(RMSPROP_UPDATE, list.map((e) => e.value))) {
      super.applyGradients(grads);
      return;
    }
    const s = this as unknown as RMSPropState;
    const attrs: RMSPropUpdateAttrs = { learningRate: s.learningRate, decay: s.decay, momentum: s.momentum, epsilon: s.epsilon, centered: s.centered };
    list.forEach(({ value, gradient }, i) => {
      const ms = slot(s.accumulatedMeanSquares, i, value, 'rms');
      const mom = slot(s.accumulatedMoments, i, value, 'momentum');
      const mg = s.centered ? slot(s.accumulatedMeanGrads, i, value, 'mg') : undefined;
      if (gradient === undefined) return;
      const inputs: tf.NamedTensorMap = mg ? { x: value, g: gradient, ms, mom, mg } : { x: value, g: gradient, ms, mom };
      update(RMSPROP_UPDATE, inputs, attrs, mg ? [value, ms, mom, mg] : [value, ms, mom]);
    });
    this.incrementIterations();
  }
}
