/**
 * Reading the activations of any named layer, the way the course extracts a discriminator's or an
 * encoder's embedding.
 * @module
 */
import type * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { toExamples, release, type DataInput } from '../data/input.js';
import { ConfigError } from '../core/errors.js';
import { is, optionsSchema } from '../core/options.js';

const EMBEDDING_OF = optionsSchema<{ batchSize?: number }>()('embeddingOf', { batchSize: is.positiveInt().default(256) });

/**
 * The output of layer `layerName` of `model` for inputs `x`: a new tensor `[N, ...]` the caller disposes.
 *
 * @throws ConfigError listing the model's layer names when `layerName` is not one of them.
 * @example
 * ```ts
 * const codes = embeddingOf(ae.model, 'code', images);   // same as ae.encode(images)
 * ```
 * @category Latent
 */
export function embeddingOf(model: tfl.LayersModel, layerName: string, x: DataInput, options: { batchSize?: number } = {}): tf.Tensor {
  if (!(model instanceof tfl.LayersModel)) {
    const handle = typeof model === 'object' && model !== null && 'kind' in model && 'config' in model;
    const hint = handle ? ' (this is a latentkit handle: pass its model, such as ae.model, gan.discriminator or vae.encoder)' : '';
    throw new ConfigError('embeddingOf.model', model, `a tf.LayersModel${hint}`);
  }
  if (typeof layerName !== 'string') throw new ConfigError('layerName', layerName, 'the name of one of the model\'s layers');
  const names = model.layers.map((l) => l.name);
  if (!names.includes(layerName)) {
    throw new ConfigError('layerName', layerName, `one of the model's layers: ${names.map((n) => `"${n}"`).join(', ')}`);
  }
  const { batchSize } = EMBEDDING_OF.check(options);
  const layer = model.getLayer(layerName);
  // A view on the same layers: no new weights, so nothing to dispose afterwards.
  const probe = tfl.model({ inputs: model.inputs, outputs: layer.output as tfl.SymbolicTensor });
  const owned = toExamples(x, 'x', model.inputs[0]!.shape.slice(1) as number[]);
  try {
    return probe.predict(owned.tensor, { batchSize }) as tf.Tensor;
  } finally {
    release(owned);
  }
}
