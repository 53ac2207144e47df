/**
 * Training FLOPs per example, counted from a tfjs-layers model's layers, so that a throughput can be read
 * as achieved GFLOP/s.
 *
 * Counted: the multiply-adds of Dense, Conv2D, Conv2DTranspose, DepthwiseConv2D and SeparableConv2D
 * layers (depthwise and pointwise halves; and of latentkit's UpsampledConv2D as the Conv2D on the upsampled
 * input it replaces), 2 FLOPs each (everything else, activations, pooling, up-sampling, batch norm, the loss
 * and the optimizer, is left out: it is small in FLOPs, though not always in time). One training example
 * costs the forward pass (F), the weight gradient (F again) and the input gradient (F again) of every such
 * layer, except the input gradient of a layer with no trainable weights upstream (fed by the input, or by
 * weightless layers such as augmentation or noise), which tfjs's gradient tape never computes:
 * 3F - F(first layers).
 */
import type * as tfl from '@tensorflow/tfjs-layers';

/** Forward FLOPs per example of one layer, 0 for layers without a matrix product. */
export function layerForwardFlops(layer: tfl.layers.Layer): number {
  const cls = layer.getClassName();
  // Node 0: a layer shared by a model and its encoder/decoder sub-model has several inbound nodes.
  const inShape = (layer.getInputAt(0) as { shape: Array<number | null> }).shape;
  const outShape = (layer.getOutputAt(0) as { shape: Array<number | null> }).shape;
  const config = layer.getConfig() as { kernelSize?: number[]; filters?: number; units?: number; depthMultiplier?: number };
  const prod = (s: Array<number | null>) => s.slice(1).reduce<number>((a, b) => a * (b ?? 1), 1);
  if (cls === 'Dense') return 2 * prod(inShape) * (config.units ?? 0);
  // latentkit's UpsampledConv2D counts as the convolution of the upsampled input it stands for (what the
  // two-layer form and the PyTorch peer compute); it does fewer multiply-adds itself.
  if (cls === 'Conv2D' || cls === 'LatentkitUpsampledConv2D') {
    const [kh, kw] = config.kernelSize!;
    const cin = inShape[3]!;
    return 2 * prod(outShape) * kh! * kw! * cin;
  }
  if (cls === 'DepthwiseConv2D' || cls === 'SeparableConv2D') {
    const [kh, kw] = config.kernelSize!;
    const pixels = outShape[1]! * outShape[2]!;
    const depthwise = inShape[3]! * (config.depthMultiplier ?? 1);
    return 2 * pixels * depthwise * kh! * kw! + (cls === 'SeparableConv2D' ? 2 * pixels * depthwise * outShape[3]! : 0);
  }
  if (cls === 'Conv2DTranspose') {
    const [kh, kw] = config.kernelSize!;
    const cout = outShape[3]!;
    return 2 * prod(inShape) * kh! * kw! * cout;
  }
  return 0;
}

/** Forward FLOPs per example of a model, and those of the layers with no trainable weights upstream. */
export function modelFlops(model: tfl.LayersModel): { forward: number; firstLayers: number } {
  // model.layers is in topological order: a layer's inbound layers come before it.
  const weighted = new Set<string>(); // layers with trainable weights at or upstream of them
  let forward = 0;
  let firstLayers = 0;
  for (const layer of model.layers) {
    const inbound = ([] as Array<{ sourceLayer?: { name: string } }>).concat(layer.getInputAt(0) as never);
    const upstream = inbound.some((t) => t.sourceLayer !== undefined && weighted.has(t.sourceLayer.name));
    if (upstream || layer.trainableWeights.length > 0) weighted.add(layer.name);
    const f = layerForwardFlops(layer);
    if (f === 0) continue;
    forward += f;
    if (!upstream) firstLayers += f;
  }
  return { forward, firstLayers };
}

/** Training FLOPs per example of a model trained end to end (forward, weight and input gradients). */
export function trainingFlops(model: tfl.LayersModel): number {
  const { forward, firstLayers } = modelFlops(model);
  return 3 * forward - firstLayers;
}

/**
 * Training FLOPs per real example of one GAN step (batch B): G forward (B, no gradient) and D trained on
 * 2B; then G forward and both gradients (B), D forward and input gradient only (B).
 */
export function ganStepFlops(generator: tfl.LayersModel, discriminator: tfl.LayersModel): number {
  const g = modelFlops(generator);
  const d = modelFlops(discriminator);
  const gTrain = 3 * g.forward - g.firstLayers;
  const dTrain = 3 * d.forward - d.firstLayers;
  return g.forward + 2 * dTrain + gTrain + 2 * d.forward;
}

/** 1234567 -> "1.23 MFLOP". */
export function formatFlops(f: number): string {
  if (f >= 1e9) return `${(f / 1e9).toFixed(2)} GFLOP`;
  if (f >= 1e6) return `${(f / 1e6).toFixed(2)} MFLOP`;
  return `${(f / 1e3).toFixed(1)} kFLOP`;
}
