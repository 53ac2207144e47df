/**
 * The GAN losses: the adversarial losses of the generator and of the discriminator (or critic) for every
 * {@link GANLoss}, and the auxiliary classifier's loss of an ACGAN. Each takes the discriminator's
 * pre-sigmoid scores, so that no log is taken of a saturated probability.
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';
import { softmaxCrossEntropy } from '../../losses/classification.js';
import { bceWithLogits } from '../../losses/likelihood.js';

/**
 * The GAN losses latentkit implements.
 * @category Models
 */
export const GAN_LOSSES = ['minimax', 'nonSaturating', 'wgan', 'wgan-gp'] as const;
/**
 * A GAN loss: `minimax` (Goodfellow et al.: G minimises log(1 - D(G(z)))), `nonSaturating` (G maximises
 * log D(G(z)), the usual choice), `wgan` (a Wasserstein critic kept Lipschitz by clipping its weights,
 * Arjovsky et al.) or `wgan-gp` (a Wasserstein critic with a gradient penalty, Gulrajani et al.).
 *
 * With `minimax` and `nonSaturating`, the logged `dLoss` is the discriminator's binary cross-entropy on a
 * real batch plus that on a generated batch, `BCE(D(x), 1) + BCE(D(G(z)), 0)`: the sum of the two terms,
 * twice the course's `J(D)`, which averages them. At the game's equilibrium (D outputs 1/2 everywhere) it
 * is `2 log 2 = 1.386`. With `wgan` and `wgan-gp` it is the critic's `mean(D(G(z))) - mean(D(x))` (plus
 * the weighted penalty).
 * @category Models
 */
export type GANLoss = (typeof GAN_LOSSES)[number];

/** True for the Wasserstein losses, whose discriminator is a critic with an unbounded linear score. */
export function isCritic(loss: GANLoss): boolean {
  return loss === 'wgan' || loss === 'wgan-gp';
}

/** The generator's loss from the discriminator's scores of its samples. */
export function generatorLoss(loss: GANLoss, fakeScore: tf.Tensor): tf.Scalar {
  switch (loss) {
    case 'nonSaturating':
      return tf.mean(bceWithLogits(fakeScore, 1)) as tf.Scalar;
    case 'minimax':
      // log(1 - D(G(z))) = -BCE(logit, 0): G pushes the discriminator's own loss on fakes up.
      return tf.neg(tf.mean(bceWithLogits(fakeScore, 0))) as tf.Scalar;
    case 'wgan':
    case 'wgan-gp':
      return tf.neg(tf.mean(fakeScore)) as tf.Scalar;
  }
}

/**
 * The discriminator's adversarial loss on real and generated scores: the two binary cross-entropies
 * (the real target `realTarget`, below 1 with one-sided label smoothing), or the critic's
 * `mean(fake) - mean(real)` (without the gradient penalty, which needs the examples).
 */
export function discriminatorLoss(loss: GANLoss, realScore: tf.Tensor, fakeScore: tf.Tensor, realTarget: number): tf.Scalar {
  if (isCritic(loss)) return tf.sub(tf.mean(fakeScore), tf.mean(realScore)) as tf.Scalar;
  return tf.add(tf.mean(bceWithLogits(realScore, realTarget)), tf.mean(bceWithLogits(fakeScore, 0))) as tf.Scalar;
}

/** An ACGAN's auxiliary loss: the mean categorical cross-entropy of class logits against one-hot labels. */
export function classLoss(classLogits: tf.Tensor, oneHotLabels: tf.Tensor): tf.Scalar {
  return softmaxCrossEntropy(oneHotLabels, classLogits);
}

/** Share of rows whose largest class logit is the labelled class. */
export function classAccuracy(classLogits: tf.Tensor, oneHotLabels: tf.Tensor): tf.Scalar {
  return tf.mean(tf.cast(tf.equal(tf.argMax(classLogits, 1), tf.argMax(oneHotLabels, 1)), 'float32')) as tf.Scalar;
}
