/**
 * latentkit: autoencoders, VAEs, GANs and classifiers for TypeScript on TensorFlow.js, in Node and in the browser.
 *
 * This is the public list, by area; what advanced users need to add model kinds or drive the training
 * loop themselves is in `latentkit/advanced`.
 *
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs-core';
 * import { useBackend, setSeed, undercompleteAE } from 'latentkit';
 *
 * await useBackend('wasm');
 * setSeed(42);
 * const ae = undercompleteAE({ inputDim: 784, hiddenUnits: [256], codeDim: 32 });
 * const history = await ae.fit(images, { epochs: 10, batchSize: 64, validationSplit: 0.1 });
 * const codes = ae.encode(images);
 * ```
 * @packageDocumentation
 */

// Models: the builders, their handles, configs, options and histories.
export { undercompleteAE, overcompleteSparseAE, denoisingAE, convAE } from './models/autoencoder/autoencoders.js';
export type { Autoencoder, AutoencoderFitOptions, AutoencoderHistory, EvaluateOptions, ReconstructionReport } from './models/autoencoder/handle.js';
export type { AutoencoderOptions, DenseAEConfig, UndercompleteAEConfig, OvercompleteSparseAEConfig, ConvAEConfig } from './models/autoencoder/config.js';
export type { DenoisingAEConfig, DenseDenoisingAEConfig, ConvDenoisingAEConfig, DenoisingOptions, CustomNoise } from './models/autoencoder/config.js';
export type { ResolvedDenseAEConfig, ResolvedConvAEConfig, ResolvedDenoisingAEConfig, ResolvedAutoencoderOptions } from './models/autoencoder/config.js';
export type { ConvStackConfig, ConvPadding, DecoderStyle } from './models/nets/convStack.js';
export { VAE } from './models/vae/vae.js';
export type { VariationalAutoencoder, VAEFitOptions, VAEHistory, VAEEncodeOptions, VAEEncoding, VAESampleOptions } from './models/vae/handle.js';
export type { LatentTraversalOptions } from './models/vae/handle.js';
export type { ElboOptions, ElboReport, NllOptions, NllReport } from './models/vae/estimates.js';
export type { VAEConfig, DenseVAEConfig, ConvVAEConfig, VAEBaseConfig, VAELikelihood, GaussianVariance } from './models/vae/config.js';
export type { ResolvedVAEConfig, ResolvedDenseVAEConfig, ResolvedConvVAEConfig } from './models/vae/config.js';
export { GAN } from './models/gan/gan.js';
export type { GenerativeAdversarialNetwork, GANSampleOptions, GANDiscriminateOptions, GANClassifyOptions } from './models/gan/handle.js';
export type { GANFitOptions, GANHistory, GANLabelInput, GANValidationData, GANInstanceNoiseOptions } from './models/gan/fitOptions.js';
export { GAN_ARCHITECTURES, GAN_CONDITIONINGS } from './models/gan/config.js';
export type { GANConfig, GANArchitecture, GANConditioning, GANMinibatchStddevOptions, GANSelfConditioningOptions, ResolvedGANConfig, ResolvedDenseGANConfig, ResolvedDCGANConfig } from './models/gan/config.js';
export { GAN_LOSSES } from './models/gan/losses.js';
export type { GANLoss } from './models/gan/losses.js';
export type { GANUpdateCounts } from './models/gan/task.js';
export { ganBalanceMonitor } from './models/gan/balanceMonitor.js';
export type { GANBalanceMonitorOptions, GANImbalance } from './models/gan/balanceMonitor.js';
export { classifier, imageClassifier } from './models/classifier/classifier.js';
export { transferHead } from './models/classifier/transfer.js';
export type { TransferBase, TransferHeadOptions, TransferHeadConfig, ResolvedTransferHeadConfig, SavedBase } from './models/classifier/transfer.js';
export type { Classifier, ClassifierFitOptions, ClassifierHistory, ClassifierEvaluation, ClassifierPredictOptions, ClassifierValidationData } from './models/classifier/handle.js';
export type { ClassWeight } from './models/classifier/freeze.js';
export { CLASSIFIER_PRESETS } from './models/classifier/config.js';
export type { ClassifierConfig, ClassifierPreset, ResolvedClassifierConfig } from './models/classifier/config.js';
export { LAYER_TYPES } from './models/nets/layerSpec.js';
export type { LayerSpec, LayerType, ResolvedLayerSpec, LayerSpecBase, DenseLayerSpec, ConvLayerSpecBase, Conv2DLayerSpec, SeparableConv2DLayerSpec } from './models/nets/layerSpec.js';
export type { Pool2DLayerSpec, GlobalPool2DLayerSpec, BatchNormLayerSpec, DropoutLayerSpec, FlattenLayerSpec, ActivationLayerSpec, ReshapeLayerSpec } from './models/nets/layerSpec.js';
export type { RandomZoomLayerSpec, RandomContrastLayerSpec, NoiseLayerSpec, ConvSize, Padding } from './models/nets/layerSpec.js';
export type { FeatureNetwork, FeatureSource } from './models/base/handle.js';
export { modeCoverage } from './eval/modeCoverage.js';
export type { ModeCoverage, ModeCoverageOptions } from './eval/modeCoverage.js';
export { sampleQuality } from './eval/sampleQuality.js';
export type { SampleClassifier, SampleQuality, SampleQualityOptions } from './eval/sampleQuality.js';
export type { Activation } from './layers/activations.js';
export type { ReconstructionLoss } from './losses/reconstruction.js';
export { LatentkitError, ConfigError, InputError } from './core/errors.js';
export { PARAMETER_LIMIT } from './models/base/size.js';
export { MAX_GENERATED_VALUES } from './core/options.js';

// Training: the options every fit takes, callbacks, early stopping, optimizers, seeds.
export type { FitOptions } from './train/fitOptions.js';
export type { Callback, Logs, TrainingControl } from './train/callbacks.js';
export type { EarlyStoppingOptions } from './train/earlyStopping.js';
export type { OptimizerSpec, OptimizerConfig, OptimizerName } from './train/optimizers.js';
export type { Verbosity } from './train/progress.js';
export { setSeed, getSeed, SeedStream } from './core/seed.js';
export { TrainingError } from './core/errors.js';

// Noise: injectors as functions, as JSON specs, as a layer.
export { gaussianNoise, maskingNoise, saltAndPepperNoise, uniformNoise } from './noise/injectors.js';
export type { NoiseFn, ClipRange, GaussianNoiseOptions, MaskingNoiseOptions, SaltAndPepperNoiseOptions, UniformNoiseOptions } from './noise/injectors.js';
export { noiseFromSpec, applyNoise } from './noise/spec.js';
export type { NoiseSpec, NoiseKind, GaussianNoiseSpec, MaskingNoiseSpec, SaltAndPepperNoiseSpec, UniformNoiseSpec, ApplyNoiseOptions } from './noise/spec.js';
export { noiseLayer, NoiseLayer } from './layers/noise.js';
export type { NoiseLayerArgs } from './layers/noise.js';

// Layers: training-time image augmentation, seeded and saved with the model.
export { randomZoom, RandomZoom, FILL_MODES, INTERPOLATIONS } from './layers/randomZoom.js';
export type { RandomZoomArgs, FillMode, Interpolation } from './layers/randomZoom.js';
export { randomContrast, RandomContrast } from './layers/randomContrast.js';
export type { RandomContrastArgs } from './layers/randomContrast.js';
export type { LayerArgs } from './layers/layerArgs.js';

// Latent: paths between codes, embeddings, reconstruction errors, prior quantiles.
export { interpolate } from './latent/interpolate.js';
export type { InterpolateOptions } from './latent/interpolate.js';
export { embeddingOf } from './latent/embedding.js';
export { reconstructionError } from './latent/reconstructionError.js';
export { linearProbe, knnProbe } from './latent/probes.js';
export type { ProbeResult, LinearProbeResult, LinearProbeOptions, KnnProbeOptions, KnnProbeResult } from './latent/probes.js';
export { normalQuantile, normalQuantiles } from './models/vae/normal.js';

// Data: inputs, image data sets, scaling, CSV, toy mixtures.
export type { DataInput } from './data/input.js';
export { loadMnist, loadFashionMnist, oneHot, MNIST_CLASS_NAMES, FASHION_MNIST_CLASS_NAMES } from './data/images.js';
export type { ImageDataset, ImageLoadOptions, MnistOptions, MnistOrder, FashionMnistOptions } from './data/images.js';
export { toRange, fromRange, standardize, unstandardize } from './data/scale.js';
export type { ValueRange, StandardizeStats } from './data/scale.js';
export { loadCsv } from './data/csv.js';
export type { LoadCsvOptions, CsvDataset } from './data/csv.js';
export { ringOfGaussians } from './eval/toyData.js';
export type { RingOfGaussians, RingOfGaussiansOptions } from './eval/toyData.js';

// Pictures: PNG grids, SVG curves and scatter plots, HTML reports.
export { imageGrid, saveImageGrid } from './viz/imageGrid.js';
export type { ImageGridOptions } from './viz/imageGrid.js';
export { lossCurve } from './viz/lossCurve.js';
export type { LossCurveOptions, LossHistory } from './viz/lossCurve.js';
export { scatterPlot } from './viz/scatterPlot.js';
export { confusionPlot } from './viz/confusionPlot.js';
export type { ConfusionPlotOptions } from './viz/confusionPlot.js';
export type { ScatterPlotOptions } from './viz/scatterPlot.js';
export { writeReport } from './viz/report.js';
export type { ReportContent, ReportSection, ReportImage } from './viz/report.js';

// Save and load.
export { save } from './io/save.js';
export type { SaveSummary } from './io/save.js';
export { load } from './io/load.js';
export { readModelInfo } from './io/record.js';
export type { SavedModelInfo } from './io/record.js';
export type { ModelLocation } from './io/location.js';
export type { LoadOptions, SavableHandle } from './io/registry.js';
export type { DenoisingLoadOptions } from './models/autoencoder/autoencoders.js';
export { fileSystemHandler } from './io/fileSystem.js';
export type { FileSystemIOHandler } from './io/fileSystem.js';
export { ModelFileError } from './io/errors.js';

// Backends.
export { useBackend, currentBackend, BACKEND_NAMES, WASM_BINARIES } from './backend/useBackend.js';
export type { BackendName, BackendInfo, UseBackendOptions, WasmFileMap } from './backend/useBackend.js';
export { ensureTrainingKernels, setKernelReplacements, latentkitKernels } from './backend/kernels.js';
export type { KernelChange } from './backend/kernels.js';
export { BackendError } from './core/errors.js';
