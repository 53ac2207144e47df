/**
 * The registry of model kinds that `save` and `load` understand. A kind tells the io code
 * which `tf.LayersModel`s hold a handle's weights (its *parts*) and how to rebuild an equal handle from
 * the saved config; `load` then copies the saved weights into the rebuilt parts.
 *
 * latentkit registers its own kinds (`undercomplete`, `overcompleteSparse`, `denoising`) in `kinds.ts`;
 * a new builder registers its kind the same way:
 *
 * @example
 * ```ts
 * registerModelKind<Gan>('gan', {
 *   rebuild: (config) => gan(config as GanConfig),
 *   parts: (g) => ({ generator: g.generator, discriminator: g.discriminator }),
 * });
 * ```
 * @module
 */
import type * as tfl from '@tensorflow/tfjs-layers';
import { ConfigError } from '../errors.js';
import type { NoiseFn } from '../noise/index.js';
import { ModelFileError } from './errors.js';

/**
 * What every handle that can be saved has: the kind that made it, its config as plain JSON data with
 * every default filled in (including `seed`), and a way to free its weights.
 *
 * @example
 * ```ts
 * const handle: SavableHandle = undercompleteAE({ inputDim: 784, codeDim: 32, seed: 1 });
 * handle.kind; // 'undercomplete'
 * ```
 */
export interface SavableHandle {
  /** The registered kind (`'undercomplete'`, `'gan'`, ...). */
  readonly kind: string;
  /** The builder's config, JSON data only, with every default filled in. */
  readonly config: Readonly<Record<string, unknown>>;
  /** Frees every weight; `load` calls it when loading fails after the rebuild. */
  dispose(): void;
}

/**
 * Options of {@link load}, handed on to the kind's `rebuild`. A kind that needs something that cannot be
 * saved as data (a function) adds an optional field here and throws a `ConfigError` naming
 * `load.<field>` when it is missing.
 *
 * @example
 * ```ts
 * const dae = await load<Autoencoder>('models/dae', { noise: myNoise });
 * ```
 */
export interface LoadOptions {
  /**
   * `denoising` kind: the noise function to train with. Required when the model was saved with a custom
   * noise function (its config records `noise: { kind: 'custom' }`, since a function cannot be saved);
   * when the model was saved with a noise spec, a function given here replaces it (and the loaded
   * config then records `{ kind: 'custom' }`).
   */
  noise?: NoiseFn;
}

/**
 * The named `tf.LayersModel`s that together hold all of a handle's weights. Order matters: the first
 * part is stored at the save location itself, each further part under `<location>/<name>` (a subfolder
 * on disk, a suffix on a browser URL). Names: a letter, then letters, digits, `_` or `-`.
 *
 * @example
 * ```ts
 * const aeParts: ModelParts = { model: ae.model };   // encoder and decoder share model's weights
 * const ganParts: ModelParts = { generator: g.generator, discriminator: g.discriminator };
 * ```
 */
export type ModelParts = Readonly<Record<string, tfl.LayersModel>>;

/**
 * How one model kind is saved and loaded.
 *
 * @typeParam H - the handle type the kind's builder returns.
 * @example
 * ```ts
 * const definition: ModelKind<Autoencoder> = {
 *   rebuild: (config) => undercompleteAE(config as unknown as UndercompleteAEConfig),
 *   parts: (ae) => ({ model: ae.model }),
 * };
 * ```
 */
export interface ModelKind<H extends SavableHandle = SavableHandle> {
  /**
   * Builds a new handle with the saved architecture from the saved config (with the saved `seed`, a
   * builder rebuilds the same layers with the same names). Its initial weights are overwritten next.
   * A `ConfigError` whose `parameter` starts with `load.` is passed on as a problem with the options;
   * any other `ConfigError` is reported as a bad config in the saved file.
   */
  rebuild(config: Record<string, unknown>, options: LoadOptions): H | Promise<H>;
  /** The models whose weights are saved, by part name; see {@link ModelParts}. Called on save and after the rebuild. */
  parts(handle: H): ModelParts;
  /**
   * Optional: puts the weights of the saved part `part` (loaded as its own model, `saved`) into the
   * rebuilt handle. Default: {@link copyLayersModelWeights} into `parts(handle)[part]`. `saved` is
   * disposed afterwards, so keep no reference to its weights. `where` names the stored part for errors.
   */
  receiveWeights?(handle: H, part: string, saved: tfl.LayersModel, where: string): void;
}

/** Options of {@link registerModelKind}. */
export interface RegisterModelKindOptions {
  /** Replace an existing registration of the same kind instead of throwing. Default `false`. */
  replace?: boolean;
}

// The one registry of the process, like tfjs's serialization registry: kinds register when their module
// loads, and save/load look them up by the name stored in the file.
const registry = new Map<string, ModelKind>();

const KIND_NAME = /^[A-Za-z][A-Za-z0-9_-]*$/;

/**
 * Makes a model kind savable and loadable: `save` writes `parts(handle)` and the handle's config; `load`
 * finds the definition by the saved `kind`, rebuilds the handle and fills in the weights.
 *
 * @param kind - the `kind` string the builder puts on its handles: a letter, then letters, digits, `_`, `-`.
 * @param definition - see {@link ModelKind}.
 * @param options - `replace` an earlier registration of `kind`.
 * @throws ConfigError on a bad `kind` name, an incomplete definition, or a kind already registered
 *   (unless `replace`).
 * @example
 * ```ts
 * registerModelKind<Autoencoder>('conv', {
 *   rebuild: (config) => convAE(config as unknown as ConvAEConfig),
 *   parts: (ae) => ({ model: ae.model }),
 * });
 * ```
 */
export function registerModelKind<H extends SavableHandle>(
  kind: string,
  definition: ModelKind<H>,
  options: RegisterModelKindOptions = {},
): void {
  if (typeof kind !== 'string' || !KIND_NAME.test(kind)) {
    throw new ConfigError('registerModelKind.kind', kind, 'a name of letters, digits, _ and - starting with a letter');
  }
  if (typeof definition !== 'object' || definition === null || typeof definition.rebuild !== 'function' || typeof definition.parts !== 'function') {
    throw new ConfigError('registerModelKind.definition', definition, 'an object with rebuild(config, options) and parts(handle) functions');
  }
  if (definition.receiveWeights !== undefined && typeof definition.receiveWeights !== 'function') {
    throw new ConfigError('registerModelKind.definition.receiveWeights', definition.receiveWeights, 'a function or undefined');
  }
  if (registry.has(kind) && options.replace !== true) {
    throw new ConfigError('registerModelKind.kind', kind, 'a kind not registered yet (pass { replace: true } to replace it)');
  }
  registry.set(kind, definition as unknown as ModelKind);
}

/**
 * The kinds registered so far, sorted.
 *
 * @example
 * ```ts
 * registeredModelKinds(); // ['denoising', 'overcompleteSparse', 'undercomplete']
 * ```
 */
export function registeredModelKinds(): string[] {
  return [...registry.keys()].sort();
}

/**
 * The definition registered for `kind`, if any.
 *
 * @example
 * ```ts
 * modelKind('undercomplete')?.parts(ae); // { model: ae.model }
 * ```
 */
export function modelKind(kind: string): ModelKind | undefined {
  return registry.get(kind);
}

/** `kinds` as `'a', 'b'` for messages. */
export function listKinds(): string {
  const kinds = registeredModelKinds();
  return kinds.length === 0 ? '(none)' : kinds.map((k) => `'${k}'`).join(', ');
}

/**
 * Checks a part name.
 *
 * @throws ConfigError naming `parameter`.
 */
export function checkPartNames(parts: ModelParts, parameter: string): string[] {
  if (typeof parts !== 'object' || parts === null) throw new ConfigError(parameter, parts, 'an object of named tf.LayersModels');
  const names = Object.keys(parts);
  if (names.length === 0) throw new ConfigError(parameter, parts, 'at least one named tf.LayersModel');
  for (const name of names) {
    if (!KIND_NAME.test(name)) throw new ConfigError(`${parameter}.${name}`, name, 'a part name of letters, digits, _ and - starting with a letter');
    const model = parts[name] as unknown;
    if (typeof model !== 'object' || model === null || !Array.isArray((model as tfl.LayersModel).weights)) {
      throw new ConfigError(`${parameter}.${name}`, model, 'a tf.LayersModel');
    }
  }
  return names;
}

/**
 * Copies every weight of `saved` into `target`, in order, after checking that both models have the same
 * weights: same count, and for each the same name (as created, before tfjs makes names unique in the
 * process) and shape. The tensors are assigned, not copied again; `saved` can be disposed afterwards.
 *
 * @param saved - a model loaded from storage.
 * @param target - the rebuilt model that receives the weights.
 * @param where - the stored part (its `model.json` path or URL), named in errors.
 * @throws ModelFileError naming `where` when the weights do not match.
 * @example
 * ```ts
 * const saved = await tfl.loadLayersModel(fileSystemHandler('models/ae'));
 * copyLayersModelWeights(saved, rebuilt.model, 'models/ae/model.json');
 * saved.dispose();
 * ```
 */
export function copyLayersModelWeights(saved: tfl.LayersModel, target: tfl.LayersModel, where: string): void {
  const from = saved.weights;
  const to = target.weights;
  if (from.length !== to.length) {
    throw new ModelFileError(
      where,
      `holds ${from.length} weights but the rebuilt model has ${to.length}: the saved architecture differs from what the config builds`,
    );
  }
  from.forEach((w, i) => {
    const t = to[i]!;
    const sameShape = w.shape.length === t.shape.length && w.shape.every((d, j) => d === t.shape[j]);
    if (w.originalName !== t.originalName || !sameShape || w.dtype !== t.dtype) {
      throw new ModelFileError(
        where,
        `weight ${i} is '${w.originalName}' [${w.shape.join(', ')}] ${w.dtype}, but the rebuilt model expects ` +
          `'${t.originalName}' [${t.shape.join(', ')}] ${t.dtype}: the saved architecture differs from what the config builds`,
      );
    }
  });
  target.setWeights(saved.getWeights());
}
