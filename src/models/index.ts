export { AutoencoderModel } from './autoencoder.js';
export type { Autoencoder, AutoencoderParts, AutoencoderFitOptions, ReconstructionReport, EvaluateOptions } from './autoencoder.js';
export { undercompleteAE } from './undercomplete.js';
export type { UndercompleteAEConfig } from './undercomplete.js';
export { overcompleteSparseAE } from './sparse.js';
export type { OvercompleteSparseAEConfig } from './sparse.js';
export { denoisingAE } from './denoising.js';
export type { DenoisingAEConfig, DenseDenoisingAEConfig, ConvDenoisingAEConfig, DenoisingOptions } from './denoising.js';
export { convAE } from './conv.js';
export type { ConvAEConfig, ResolvedConvAEConfig } from './conv.js';
export type { ConvStackConfig, ConvStackSpec, ConvPadding, DecoderStyle } from './conv/stack.js';
export type { DenseAEConfig, ResolvedDenseAEConfig } from './dense.js';
export { ACTIVATIONS } from './activations.js';
export type { Activation } from './activations.js';
export { RECONSTRUCTION_LOSSES, reconstructionLoss, reconstructionLossPerExample } from './losses.js';
export type { ReconstructionLoss } from './losses.js';
export { SeededDropout } from './layers/seededDropout.js';
export type { SeededDropoutArgs } from './layers/seededDropout.js';
export {
  VAE,
  resolveVAEConfig,
  GaussianSampling,
  OutputLogVariance,
  reparameterize,
  VAE_LIKELIHOODS,
  bernoulliNll,
  gaussianNll,
  betaAt,
  gaussianKlPerDim,
  klObjective,
  normalQuantile,
  normalQuantiles,
} from './vae.js';
export type {
  VAEConfig,
  DenseVAEConfig,
  ConvVAEConfig,
  VAEBaseConfig,
  ResolvedVAEConfig,
  ResolvedDenseVAEConfig,
  ResolvedConvVAEConfig,
  ResolvedVAEBase,
  GaussianVariance,
  VAELikelihood,
  VAEEncodeOptions,
  VAEEncoding,
  VAESampleOptions,
  ElboOptions,
  ElboReport,
  LatentTraversalOptions,
  VariationalAutoencoder,
  GaussianSamplingArgs,
  OutputLogVarianceArgs,
  BetaSchedule,
} from './vae.js';
export {
  GAN,
  GANModel,
  resolveGANConfig,
  GAN_KINDS,
  GAN_LOSSES,
  ganBalanceMonitor,
  imbalanceMessage,
  DoubleBackpropActivation,
  DOUBLE_BACKPROP_ACTIVATIONS,
  doubleBackpropActivation,
} from './gan.js';
export type {
  GANConfig,
  ResolvedGANConfig,
  GANKind,
  GANLoss,
  GANUpdateCounts,
  GANLabelInput,
  GANInstanceNoiseOptions,
  GANFitOptions,
  GANSampleOptions,
  GANDiscriminateOptions,
  GenerativeAdversarialNetwork,
  GANBalanceMonitorOptions,
  GANImbalance,
  DoubleBackpropActivationArgs,
  DoubleBackpropActivationName,
} from './gan.js';
