/**
 * convAE: the mirrored decoder lands on the input shape for any image the encoder accepts, the handle is
 * the shared Autoencoder, and impossible configs say why.
 */
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { useBackend, convAE, denoisingAE, ConfigError } from '../../../src/index.js';

beforeAll(async () => {
  await useBackend('cpu');
});

const shapes: Array<[number, number, number]> = [
  [28, 28, 1],
  [32, 32, 3],
  [27, 27, 1],
  [7, 5, 2],
];

describe('convAE output shape equals input shape', () => {
  for (const inputShape of shapes) {
    for (const decoder of ['transpose', 'upsample'] as const) {
      for (const [padding, pooling] of [
        [['same', 'valid'], [0, 2]],
        ['same', 0],
        ['valid', [2, 0]],
      ] as const) {
        const name = `${inputShape.join('x')} ${decoder} padding=${JSON.stringify(padding)} pooling=${JSON.stringify(pooling)}`;
        it(name, () => {
          let ae;
          try {
            ae = convAE({ inputShape, filters: [4, 6], padding: padding as never, pooling: pooling as never, decoder, codeDim: 5, seed: 1 });
          } catch (e) {
            // Only genuinely impossible combinations may refuse, and they must say why.
            expect(e).toBeInstanceOf(ConfigError);
            expect((e as Error).message).toMatch(/large enough for convolution|no larger than the/);
            expect(inputShape[0]).toBeLessThan(10);
            return;
          }
          expect(ae.model.outputs[0]!.shape).toEqual([null, ...inputShape]);
          expect(ae.decoder.outputs[0]!.shape).toEqual([null, ...inputShape]);
          expect(ae.encoder.outputs[0]!.shape).toEqual([null, 5]);
          expect(ae.encoder.layers.at(-1)!.name).toBe('code');
          const x = tf.randomUniform([2, ...inputShape], 0, 1, 'float32', 1);
          const y = ae.reconstruct(x);
          expect(y.shape).toEqual([2, ...inputShape]);
          tf.dispose([x, y]);
          ae.dispose();
        });
      }
    }
  }
});

describe('convAE handle', () => {
  it('the course exercise-8 architecture, trained a few steps on wasm, without leaks', async () => {
    await useBackend('wasm');
    const ae = convAE({ inputShape: [28, 28, 1], filters: [32, 32], strides: 2, padding: ['same', 'valid'], pooling: [0, 2], codeDim: 32, seed: 3 });
    const names = ae.encoder.layers.map((l) => l.name);
    expect(names).toEqual(['input', 'encoder_conv_1', 'encoder_conv_1_relu', 'encoder_conv_2', 'encoder_conv_2_relu', 'encoder_pool_2', 'encoder_flatten', 'code']);
    const x = tf.randomUniform([16, 28, 28, 1], 0, 1, 'float32', 2);
    const before = tf.memory().numTensors;
    const h = await ae.fit(x, { epochs: 3, batchSize: 8, optimizer: { name: 'sgd', learningRate: 0.01, momentum: 0.95 }, verbose: 0 });
    expect(h['loss']![2]).toBeLessThan(h['loss']![0]!);
    const z = ae.encode(x);
    const back = ae.decode(z);
    expect(back.shape).toEqual([16, 28, 28, 1]);
    tf.dispose([z, back]);
    expect(tf.memory().numTensors).toBe(before);
    ae.dispose();
    x.dispose();
    await useBackend('cpu');
  });

  it('denoisingAE accepts a conv config', async () => {
    const dae = denoisingAE({ inputShape: [12, 12, 1], filters: [4], codeDim: 3, noise: { kind: 'uniform', scale: 0.3, clip: [0, 1] }, seed: 1 });
    expect(dae.kind).toBe('denoising');
    expect(dae.config['architecture']).toBe('conv');
    const x = tf.randomUniform([8, 12, 12, 1], 0, 1, 'float32', 2);
    await dae.fit(x, { epochs: 1, verbose: 0 });
    dae.dispose();
    x.dispose();
  });

  it('errors name the field', () => {
    expect(() => convAE({ inputShape: [28, 28] as never })).toThrow(/convAE.inputShape = \[28, 28\]: expected \[height, width, channels\]/);
    expect(() => convAE({ inputShape: [28, 28, 1], filters: [8, 8], strides: [2, 2, 2] })).toThrow(/convAE.strides = \[2, 2, 2\]: expected one value, or 2/);
    expect(() => convAE({ inputShape: [4, 4, 1], filters: [8, 8], kernelSize: 3, padding: 'valid', strides: 1 })).toThrow(
      /convAE.inputShape = \[4, 4, 1\]: expected an image large enough for convolution 2 \(kernel 3, stride 1, 'valid'\), which gets 2x2 and would output 0x0/,
    );
    expect(() => convAE({ inputShape: [28, 28, 1], decoder: 'deconv' as never })).toThrow(/convAE.decoder = "deconv"/);
    expect(() => convAE({ inputShape: [28, 28, 1], pooling: -1 })).toThrow(/convAE.pooling\[0\] = -1/);
  });
});
