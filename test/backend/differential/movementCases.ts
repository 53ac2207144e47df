/**
 * Generated cases for the wasm data-movement kernels latentkit replaces: Slice (ranks 1-5, trailing axes taken
 * whole or not, size -1, short and long runs), SplitV and Unpack (any axis, given or equal sizes), Tile (ranks 1-4, repetitions on any axis), Concat (2-4
 * inputs, any axis, empty inputs), Identity, Transpose (ranks 1-6, any permutation, runs contiguous or strided) and
 * Reverse (ranks 1-6, any axes), PadV2 (ranks 1-4, any paddings and constant); float32, int32 (with values whose bits are float NaNs, which
 * must survive a copy) and bool. Data movement is exact: the tolerance is 0.
 */
import { randomTensor } from './harness.js';
import type { DType, HostTensor, KernelCase, Rng } from './harness.js';
import type { KernelSpec } from './spec.js';
import { transposeTakesTiles } from '../../../src/backend/wasm/gatherKernels.js';

function dtypeOf(rng: Rng): DType {
  return rng.weighted([['float32', 60], ['int32', 30], ['bool', 10]] as const);
}

/** A tensor of `dtype`; int32 tensors sometimes hold values whose bit patterns are float NaNs. */
function tensorOf(rng: Rng, shape: number[], dtype: DType, tags: string[]): HostTensor {
  if (dtype === 'int32' && rng.chance(0.4)) {
    tags.push('int32 NaN bit patterns');
    const t = randomTensor(rng, shape, 'int32', -9, 9);
    // 0x7fc00001.. and negative -1 (0xffffffff) are NaNs when read as float32.
    for (let i = 0; i < t.values.length; i++) if (rng.chance(0.3)) t.values[i] = rng.pick([-1, 0x7fc00001, -4194305]);
    return t;
  }
  return randomTensor(rng, shape, dtype, dtype === 'int32' ? -9 : -1, dtype === 'int32' ? 9 : 1);
}

function sliceCase(rng: Rng): KernelCase {
  const tags: string[] = [];
  const rank = rng.weighted([[1, 10], [2, 20], [3, 20], [4, 40], [5, 10]] as const);
  const big = rng.chance(0.25);
  // Long runs: the last two axes up to 40 (at most ~40k elements in all).
  const shape = Array.from({ length: rank }, (_, i) => rng.int(1, big && i >= rank - 2 ? 40 : 7));
  const begin: number[] = [];
  const size: number[] = [];
  let trailingWhole = true;
  for (let i = rank - 1; i >= 0; i--) {
    const whole = (trailingWhole && rng.chance(0.5)) || shape[i] === 1;
    if (!whole) trailingWhole = false;
    const b = whole ? 0 : rng.int(0, shape[i]! - 1);
    const z = whole ? shape[i]! : rng.chance(0.03) ? 0 : rng.int(1, shape[i]! - b);
    begin.unshift(b);
    size.unshift(z === shape[i]! - b && rng.chance(0.2) ? -1 : z);
  }
  if (size.some((z) => z === 0)) tags.push('empty');
  if (size.includes(-1)) tags.push('size -1');
  if (begin.every((b) => b === 0) && size.every((z, i) => z === shape[i] || z === -1)) tags.push('whole tensor');
  const dtype = dtypeOf(rng);
  tags.push(`rank ${rank}`, dtype, big ? 'long runs' : 'short runs');
  return { inputs: { x: tensorOf(rng, shape, dtype, tags) }, attrs: { begin, size }, tags };
}

function splitVCase(rng: Rng): KernelCase {
  const tags: string[] = [];
  const rank = rng.int(1, 4);
  const shape = Array.from({ length: rank }, () => rng.int(1, 6));
  const axis = rng.int(0, rank - 1);
  shape[axis] = rng.int(2, 12);
  let numOrSizeSplits: number | number[];
  if (rng.chance(0.4)) {
    const divisors = Array.from({ length: shape[axis]! }, (_, i) => i + 1).filter((d) => shape[axis]! % d === 0);
    numOrSizeSplits = rng.pick(divisors);
    tags.push('equal pieces');
  } else {
    const sizes: number[] = [];
    let left = shape[axis]!;
    while (left > 0) {
      const n = rng.int(0, left);
      sizes.push(n);
      left -= n;
      if (sizes.length > 4) break;
    }
    if (left > 0) sizes.push(left);
    if (rng.chance(0.3)) sizes[rng.int(0, sizes.length - 1)] = -1;
    numOrSizeSplits = sizes;
    tags.push('given sizes');
  }
  const dtype = dtypeOf(rng);
  tags.push(`rank ${rank}`, dtype, axis === rank - 1 ? 'innermost axis' : 'outer axis');
  return { inputs: { x: tensorOf(rng, shape, dtype, tags) }, attrs: { numOrSizeSplits, axis: rng.chance(0.3) ? axis - rank : axis }, tags };
}

function unpackCase(rng: Rng): KernelCase {
  const tags: string[] = [];
  const rank = rng.int(1, 4);
  const shape = Array.from({ length: rank }, () => rng.int(1, 6));
  const axis = rng.int(0, rank - 1);
  const dtype = dtypeOf(rng);
  tags.push(`rank ${rank}`, dtype, axis === rank - 1 ? 'innermost axis' : 'outer axis');
  return { inputs: { value: tensorOf(rng, shape, dtype, tags) }, attrs: { axis: rng.chance(0.3) ? axis - rank : axis }, tags };
}

function tileCase(rng: Rng): KernelCase {
  const tags: string[] = [];
  const rank = rng.weighted([[1, 15], [2, 25], [3, 20], [4, 40]] as const);
  const shape = Array.from({ length: rank }, () => rng.weighted([[1, 40], [rng.int(2, 6), 60]] as const));
  const reps = Array.from({ length: rank }, () => rng.weighted([[1, 40], [rng.int(2, 9), 60]] as const));
  if (shape.every((d) => d === 1)) tags.push('scalar-like input');
  if (reps[rank - 1]! > 1) tags.push('innermost repeated');
  const dtype = dtypeOf(rng);
  tags.push(`rank ${rank}`, dtype);
  return { inputs: { x: tensorOf(rng, shape, dtype, tags) }, attrs: { reps }, tags };
}

function concatCase(rng: Rng): KernelCase {
  const tags: string[] = [];
  const rank = rng.int(1, 4);
  const shape = Array.from({ length: rank }, () => rng.int(1, 6));
  const axis = rng.int(0, rank - 1);
  const count = rng.int(2, 4);
  const dtype = dtypeOf(rng);
  const inputs: Record<string, HostTensor> = {};
  for (let i = 0; i < count; i++) {
    const s = [...shape];
    s[axis] = rng.chance(0.1) ? 0 : rng.int(1, 20);
    if (s[axis] === 0) tags.push('an empty input');
    inputs[String(i)] = tensorOf(rng, s, dtype, tags);
  }
  tags.push(`rank ${rank}`, dtype, axis === 0 ? 'axis 0' : 'inner axis');
  return { inputs, inputList: true, attrs: { axis: rng.chance(0.3) ? axis - rank : axis }, tags };
}

function identityCase(rng: Rng): KernelCase {
  const tags: string[] = [];
  const shape = Array.from({ length: rng.int(0, 4) }, () => rng.int(1, 6));
  const dtype = dtypeOf(rng);
  tags.push(dtype);
  return { inputs: { x: tensorOf(rng, shape, dtype, tags) }, attrs: {}, tags };
}

/**
 * A shape of `rank` with sides 1-6 (sometimes one long side, up to 40). Never empty: tfjs's own kernels fail
 * there (cpu Transpose divides by zero, wasm Reverse reads out of bounds), so no reference exists.
 */
function walkShape(rng: Rng, rank: number, tags: string[]): number[] {
  const shape = Array.from({ length: rank }, () => rng.weighted([[1, 20], [rng.int(2, 6), 80]] as const));
  if (rng.chance(0.2)) shape[rng.int(0, rank - 1)] = rng.int(7, 40);
  return shape;
}

function transposeCase(rng: Rng): KernelCase {
  const tags: string[] = [];
  const rank = rng.weighted([[1, 5], [2, 20], [3, 20], [4, 35], [5, 15], [6, 5]] as const);
  // Some shapes of multiples of 4 (the 4 x 4 tiles: a filter gradient moving the batch axis last).
  const fours = rng.chance(0.25);
  const shape = fours ? Array.from({ length: rank }, () => rng.pick([1, 4, 8, 12, 4])) : walkShape(rng, rank, tags);
  const perm = Array.from({ length: rank }, (_, i) => i);
  for (let i = rank - 1; i > 0; i--) {
    const j = rng.int(0, i);
    [perm[i], perm[j]] = [perm[j]!, perm[i]!];
  }
  if (perm[rank - 1] === rank - 1) tags.push('innermost axis kept (contiguous runs)');
  else tags.push('innermost axis moved (strided)');
  if (rank > 4 && shape.filter((d) => d > 1).length > 4) tags.push('more than 4 axes');
  const dtype = dtypeOf(rng);
  tags.push(`rank ${rank}`, dtype);
  if (dtype !== 'bool' && transposeTakesTiles(shape, perm)) tags.push('4 x 4 tiles');
  return { inputs: { x: tensorOf(rng, shape, dtype, tags) }, attrs: { perm }, tags };
}

function reverseCase(rng: Rng): KernelCase {
  const tags: string[] = [];
  const rank = rng.weighted([[1, 10], [2, 20], [3, 20], [4, 35], [5, 10], [6, 5]] as const);
  const shape = walkShape(rng, rank, tags);
  let dims = Array.from({ length: rank }, (_, i) => i).filter(() => rng.chance(0.5));
  if (dims.length === 0 && rng.chance(0.7)) dims = [rng.int(0, rank - 1)];
  if (dims.includes(rank - 1)) tags.push('innermost reversed');
  if (dims.length === 0) tags.push('no axis');
  const dtype = dtypeOf(rng);
  tags.push(`rank ${rank}`, dtype);
  const attr = dims.length === 1 && rng.chance(0.3) ? dims[0]! - (rng.chance(0.5) ? rank : 0) : dims;
  return { inputs: { x: tensorOf(rng, shape, dtype, tags) }, attrs: { dims: attr }, tags };
}

/** PadV2 (Slice's gradient): ranks 1-4, padding before and after on any axis, a constant, empty inputs. */
function padCase(rng: Rng): KernelCase {
  const tags: string[] = [];
  const rank = rng.int(1, 4);
  const shape = Array.from({ length: rank }, () => (rng.chance(0.03) ? 0 : rng.int(1, 6)));
  const paddings = shape.map(() => [rng.chance(0.5) ? 0 : rng.int(1, 3), rng.chance(0.5) ? 0 : rng.int(1, 3)] as [number, number]);
  if (paddings[rank - 1]!.every((p) => p === 0)) tags.push('innermost axis not padded');
  if (shape.includes(0)) tags.push('empty input');
  const dtype = dtypeOf(rng);
  const constantValue = dtype === 'bool' ? rng.pick([0, 1]) : rng.pick([0, 0, -1.5, 7]);
  if (constantValue !== 0) tags.push('non-zero constant');
  tags.push(`rank ${rank}`, dtype);
  return { inputs: { x: tensorOf(rng, shape, dtype, tags) }, attrs: { paddings, constantValue }, tags };
}

const reverseStockBroken = (c: KernelCase) => c.inputs['x']!.shape.length > 4 || c.inputs['x']!.dtype === 'bool';

export function movementSpecs(): KernelSpec[] {
  return [
    {
      kernel: 'Slice',
      backend: 'wasm',
      generate: sliceCase,
      tol: 0,
      mustCover: { 'rank 4': 80, 'long runs': 50, 'size -1': 30, int32: 60, bool: 20, 'int32 NaN bit patterns': 20, empty: 5 },
    },
    { kernel: 'SplitV', backend: 'wasm', generate: splitVCase, tol: 0, mustCover: { 'given sizes': 100, 'equal pieces': 80, 'innermost axis': 50, 'int32 NaN bit patterns': 20 } },
    { kernel: 'Unpack', backend: 'wasm', generate: unpackCase, tol: 0, mustCover: { 'outer axis': 100, 'innermost axis': 50, 'int32 NaN bit patterns': 20 } },
    { kernel: 'Tile', backend: 'wasm', generate: tileCase, tol: 0, mustCover: { 'rank 4': 80, 'innermost repeated': 100, 'scalar-like input': 5, 'int32 NaN bit patterns': 20 } },
    { kernel: 'Concat', backend: 'wasm', generate: concatCase, tol: 0, mustCover: { 'inner axis': 100, 'axis 0': 50, 'an empty input': 10, 'int32 NaN bit patterns': 20 } },
    { kernel: 'PadV2', backend: 'wasm', generate: padCase, tol: 0, mustCover: { 'rank 4': 50, 'innermost axis not padded': 60, 'non-zero constant': 60, int32: 60, bool: 20, 'int32 NaN bit patterns': 20, 'empty input': 3 } },
    { kernel: 'Identity', backend: 'wasm', generate: identityCase, tol: 0, mustCover: { float32: 100, int32: 50, bool: 10 } },
    {
      kernel: 'Transpose',
      backend: 'wasm',
      generate: transposeCase,
      tol: 0,
      mustCover: { 'rank 4': 80, 'innermost axis kept (contiguous runs)': 60, 'innermost axis moved (strided)': 150, 'more than 4 axes': 5, 'int32 NaN bit patterns': 20, bool: 10, '4 x 4 tiles': 30 },
    },
    {
      kernel: 'Reverse',
      backend: 'wasm',
      generate: reverseCase,
      tol: 0,
      // tfjs's own wasm Reverse returns garbage for bool (4 bytes written per 1-byte element) and writes out of
      // bounds above rank 4 (heap corruption): latentkit's fixes both; tfjs's is not run there.
      stockWrong: reverseStockBroken,
      stockUnsafe: reverseStockBroken,
      mustCover: { 'rank 4': 80, 'innermost reversed': 80, 'no axis': 10, 'rank 5': 20, 'rank 6': 10, 'int32 NaN bit patterns': 20, bool: 10 },
    },
  ];
}
