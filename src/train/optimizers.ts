/**
 * Optimizers by name or by spec, so that a training config stays plain data.
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';
import { ConfigError } from '../core/errors.js';
import { field, is, isRecord, numberIn, oneOf, optionsSchema } from '../core/options.js';
import { FusedAdam, FusedMomentum, FusedRMSProp, FusedSGD } from './fusedOptimizers.js';

/**
 * Optimizer names latentkit can create. `sgd` with a `momentum` > 0 is SGD with momentum.
 * @category Training
 */
export const OPTIMIZER_NAMES = ['adam', 'sgd', 'momentum', 'rmsprop', 'adagrad', 'adadelta', 'adamax'] as const;
/**
 * An optimizer name; see {@link OPTIMIZER_NAMES}.
 * @category Training
 */
export type OptimizerName = (typeof OPTIMIZER_NAMES)[number];

/**
 * An optimizer described as data.
 * @category Training
 */
export interface OptimizerConfig {
  name: OptimizerName;
  /** Step size. Defaults: adam/adamax/rmsprop 1e-3, sgd/momentum 0.01, adagrad 0.01, adadelta 1. */
  learningRate?: number;
  /** sgd/momentum/rmsprop: momentum coefficient. Default 0 (0.9 for `momentum`). */
  momentum?: number;
  /** adam/adamax: first-moment decay. Default 0.9. */
  beta1?: number;
  /** adam/adamax: second-moment decay. Default 0.999. */
  beta2?: number;
  /** Numerical fuzz. Default: the optimizer's own (1e-7 for adam in tfjs). */
  epsilon?: number;
  /** sgd/momentum: Nesterov momentum. Default false. */
  nesterov?: boolean;
}

/**
 * What `fit` accepts as `optimizer`: a name, a config, or a ready `tf.Optimizer` (which stays the caller's:
 * latentkit never disposes it, and its state carries over between `fit` calls).
 * @category Training
 */
export type OptimizerSpec = OptimizerName | OptimizerConfig | tf.Optimizer;

/** The checker's fields of {@link OptimizerConfig}. */
const OPTIMIZER_CONFIG = optionsSchema<OptimizerConfig>()('optimizer', {
  name: is.oneOf(OPTIMIZER_NAMES),
  learningRate: is.number({ min: 0, minOpen: true }),
  momentum: is.number({ min: 0, max: 1, maxOpen: true }),
  beta1: is.number({ min: 0, max: 1, maxOpen: true }).default(0.9),
  beta2: is.number({ min: 0, max: 1, maxOpen: true }).default(0.999),
  epsilon: is.number({ min: 0, max: 1, minOpen: true }),
  nesterov: is.boolean().default(false),
});

function isOptimizer(spec: unknown): spec is tf.Optimizer {
  // tf.Optimizer's instanceof check reads a property of its operand: test for an object first.
  return typeof spec === 'object' && spec !== null && spec instanceof tf.Optimizer;
}

/** Checks an optimizer spec (name, config or instance) without creating anything, naming `parameter`. */
export function checkOptimizerSpec(spec: unknown, parameter: string): OptimizerSpec {
  if (isOptimizer(spec)) return spec;
  if (typeof spec === 'string') return oneOf(`${parameter}.name`, spec, OPTIMIZER_NAMES);
  if (!isRecord(spec)) throw new ConfigError(parameter, spec, `an optimizer name (${OPTIMIZER_NAMES.join(', ')}), a config or a tf.Optimizer`);
  if (spec['name'] === undefined) throw new ConfigError(`${parameter}.name`, undefined, `one of ${OPTIMIZER_NAMES.map((n) => `"${n}"`).join(', ')}`);
  OPTIMIZER_CONFIG.check(spec, parameter);
  return spec as unknown as OptimizerConfig;
}

/** The checker's field for an `optimizer` option. */
export const OPTIMIZER_FIELD = field((v, p) => checkOptimizerSpec(v, p));

const DEFAULT_RATE: Record<OptimizerName, number> = {
  adam: 1e-3,
  adamax: 2e-3,
  rmsprop: 1e-3,
  sgd: 0.01,
  momentum: 0.01,
  adagrad: 0.01,
  adadelta: 1,
};

/** An optimizer ready for a training run, and whether latentkit made it (and so disposes it afterwards). */
export interface ResolvedOptimizer {
  optimizer: tf.Optimizer;
  created: boolean;
}

/**
 * Creates (or passes through) an optimizer.
 *
 * @param spec - a name, a config or a `tf.Optimizer`. Default `'adam'`.
 * @param learningRate - overrides the config's rate when given.
 * @param parameter - the name used in errors.
 * @example
 * ```ts
 * const { optimizer } = resolveOptimizer({ name: 'sgd', learningRate: 0.01, momentum: 0.95 });
 * ```
 */
export function resolveOptimizer(
  spec: OptimizerSpec | undefined,
  learningRate?: number,
  parameter = 'optimizer',
): ResolvedOptimizer {
  if (isOptimizer(spec)) {
    if (learningRate !== undefined) {
      throw new ConfigError(
        'learningRate',
        learningRate,
        'to be left out when `optimizer` is a tf.Optimizer instance (set the rate when creating it)',
      );
    }
    return { optimizer: spec, created: false };
  }
  const config = checkOptimizerSpec(spec ?? 'adam', parameter) as OptimizerName | OptimizerConfig;
  const c = OPTIMIZER_CONFIG.check(typeof config === 'string' ? { name: config } : config, parameter);
  const name = c.name!;
  const lr = numberIn('learningRate', learningRate ?? c.learningRate ?? DEFAULT_RATE[name], 0, Infinity, { minOpen: true });
  const { momentum, beta1, beta2, epsilon: eps } = c;
  let optimizer: tf.Optimizer;
  switch (name) {
    case 'adam':
      optimizer = new FusedAdam(lr, beta1!, beta2!, eps);
      break;
    case 'adamax':
      optimizer = tf.train.adamax(lr, beta1, beta2, eps);
      break;
    case 'rmsprop':
      optimizer = new FusedRMSProp(lr, 0.9, momentum ?? 0, eps);
      break;
    case 'sgd':
    case 'momentum': {
      const m = momentum ?? (name === 'momentum' ? 0.9 : 0);
      optimizer = m > 0 ? new FusedMomentum(lr, m, c.nesterov) : new FusedSGD(lr);
      break;
    }
    case 'adagrad':
      optimizer = tf.train.adagrad(lr);
      break;
    case 'adadelta':
      optimizer = tf.train.adadelta(lr, 0.95, eps);
      break;
  }
  return { optimizer, created: true };
}

/**
 * Sets the learning rate of an optimizer latentkit created (every tfjs optimizer reads its `learningRate`
 * at each update; SGD and momentum keep it as a scalar too, which `setLearningRate` replaces).
 */
export function setLearningRate(optimizer: tf.Optimizer, rate: number): void {
  const o = optimizer as unknown as { learningRate: number; setLearningRate?: (r: number) => void };
  if (typeof o.setLearningRate === 'function') o.setLearningRate(rate);
  else o.learningRate = rate;
}

/** The learning rate an optimizer was created with (or last set to). */
export function learningRateOf(optimizer: tf.Optimizer): number {
  return (optimizer as unknown as { learningRate: number }).learningRate;
}

/**
 * Disposes an optimizer latentkit created, completely. tfjs 4.22's `MomentumOptimizer.dispose()` frees
 * its accumulators and momentum scalar but not the learning-rate scalar its SGD base keeps (`c`), which
 * would leak one tensor per `fit`.
 */
export function disposeOptimizer(optimizer: tf.Optimizer): void {
  optimizer.dispose();
  const rate = (optimizer as unknown as { c?: tf.Tensor }).c;
  if (rate instanceof tf.Tensor && !rate.isDisposed) rate.dispose();
}

/** Frees a resolved optimizer if latentkit created it (with {@link disposeOptimizer}); a caller's instance stays theirs. */
export function releaseOptimizer(resolved: ResolvedOptimizer): void {
  if (resolved.created) disposeOptimizer(resolved.optimizer);
}
