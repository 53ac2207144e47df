/**
 * `latentkit/advanced`: what a user needs to go past the builders: define a new model kind (a handle
 * base, a training task, the gradient step, the save registry, the options checker), drive the training
 * loop directly, reuse latentkit's custom layers, losses and data checks, and register the tfjs kernel
 * fixes by hand. Everything here shares its state with `latentkit` (the seed, the kind registry).
 *
 * A new model kind, as latentkit's own are made:
 * 1. a config with an {@link optionsSchema} (types, defaults, unknown keys refused);
 * 2. a handle extending {@link ModelHandle} (kind, frozen config, seed stream, batched predict,
 *    summary, dispose, `fitWith` to train through the one loop);
 * 3. a {@link TrainingTask} whose `trainStep` applies its gradients through {@link gradientStep};
 * 4. {@link defineModelKind} next to the builder, so that `save` and `load` know it.
 *
 * @example
 * ```ts
 * import { defineModelKind, ModelHandle, gradientStep, optionsSchema, is } from 'latentkit/advanced';
 * ```
 * @packageDocumentation
 */

// Model kinds: the handle base, the save registry.
export { ModelHandle, PREDICT_BATCH } from './models/base/handle.js';
export { defineModelKind, registeredModelKinds, modelKind, copyLayersModelWeights } from './io/registry.js';
export type { ModelKindDefinition, DefineModelKindOptions, ModelParts } from './io/registry.js';
export { LATENTKIT_VERSION, SAVE_FORMAT } from './io/version.js';
export { LATENTKIT_JSON } from './io/record.js';
export { MODEL_JSON, WEIGHTS_BIN } from './io/fileSystem.js';

// The options checker.
export { optionsSchema, OptionsSchema, field, is, exclusive, nearest, editDistance, deepFreeze, isRecord } from './core/options.js';
export type { Field, Resolved, FieldsOf, SchemaExtras } from './core/options.js';
export { describeValue } from './core/errors.js';

// The training loop and its parts.
export type { TrainingTask, StepContext, StepLogs } from './train/task.js';
export { gradientStep, variablesOf, clipWeights, NonFiniteStepError } from './train/gradientStep.js';
export type { GradientStepOptions } from './train/gradientStep.js';
export { runTraining, evaluateTask, splitForValidation } from './train/loop.js';
export type { History } from './train/loop.js';
export { loopSettings, FIT_FIELDS } from './train/fitOptions.js';
export type { LoopSettings, ResolvedFitOptions } from './train/fitOptions.js';
export { fitArrays } from './train/fit.js';
export type { FitArray } from './train/fit.js';
export { BatchSource, predictInBatches } from './train/batches.js';
export { resolveOptimizer, releaseOptimizer, disposeOptimizer, checkOptimizerSpec } from './train/optimizers.js';
export { FusedAdam, FusedMomentum, FusedRMSProp, FusedSGD } from './train/fusedOptimizers.js';
export type { ResolvedOptimizer } from './train/optimizers.js';
export { EarlyStopping } from './train/earlyStopping.js';
export { ProgressLogger, formatLogs } from './train/progress.js';
export { AutoencoderTask, l1ActivityPenalty } from './models/autoencoder/task.js';
export { ClassifierTask } from './models/classifier/task.js';
export { inferenceWhenFrozen } from './models/classifier/freeze.js';
export { resolveLayerSpecs, applyLayerSpecs } from './models/nets/layerSpec.js';
export type { CodePenalty, AutoencoderObjective } from './models/autoencoder/task.js';
export { imbalanceMessage } from './models/gan/balanceMonitor.js';
export { packExamples, packLabels } from './models/gan/packing.js';

// Seeds and data checks.
export { resolveSeed, seedStream, assertSeed } from './core/seed.js';
export { toExamples, release, assertFinite, checkExampleShape } from './data/input.js';
export { classLabels, confusionMatrix } from './data/labels.js';
export type { ClassLabels, ClassLabelsOptions } from './data/labels.js';
export type { OwnedTensor } from './data/input.js';

// Custom layers (registered with tfjs when latentkit loads, so saved models that use them load).
export { SeededDropout } from './layers/seededDropout.js';
export type { SeededDropoutArgs } from './layers/seededDropout.js';
export { GaussianSampling, OutputLogVariance, reparameterize } from './layers/sampling.js';
export type { GaussianSamplingArgs, OutputLogVarianceArgs } from './layers/sampling.js';
export { DoubleBackpropActivation, doubleBackpropActivation, DOUBLE_BACKPROP_ACTIVATIONS } from './layers/doubleBackprop.js';
export type { DoubleBackpropActivationArgs, DoubleBackpropActivationName } from './layers/doubleBackprop.js';
export { MinibatchStddev } from './layers/minibatchStddev.js';
export type { MinibatchStddevArgs } from './layers/minibatchStddev.js';
export { UpsampledConv2D } from './layers/upsampledConv.js';
export type { UpsampledConv2DArgs } from './layers/upsampledConv.js';
export { normaliseNoiseSpec } from './noise/spec.js';

// Losses, one copy of each.
export { reconstructionLoss, reconstructionLossPerExample } from './losses/reconstruction.js';
export { softmaxCrossEntropy, softmaxCrossEntropyPerExample, categoricalAccuracy } from './losses/classification.js';
export { bernoulliNll, gaussianNll, bceWithLogits } from './losses/likelihood.js';
export { gaussianKlPerDim, klObjective, betaAt } from './losses/kl.js';
export type { BetaSchedule } from './losses/kl.js';
export { resolveVAEConfig } from './models/vae/config.js';
export { resolveGANConfig } from './models/gan/config.js';

// Backends: where latentkit runs (the kernel functions are public: see `latentkitKernels`).
export { isNode, isBrowser } from './core/environment.js';
