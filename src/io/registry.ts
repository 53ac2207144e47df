/**
 * The registry of model kinds that `save` and `load` understand. A kind tells the io code which
 * `tf.LayersModel`s hold a handle's weights (its *parts*) and how to rebuild an equal handle from the saved
 * config; `load` then copies the saved weights into the rebuilt parts. The io code knows no kind by name:
 * each model family defines its kinds next to its builders, and they register when their module loads.
 *
 * @example
 * ```ts
 * defineModelKind<Classifier>({
 *   kind: 'classifier',
 *   rebuild: (config) => classifier(config as unknown as ClassifierConfig),
 *   parts: (c) => ({ model: c.model }),
 * });
 * ```
 * @module
 */
import type * as tfl from '@tensorflow/tfjs-layers';
import { ConfigError } from '../core/errors.js';
import type { OptionsSchema } from '../core/options.js';
import { ModelFileError } from './errors.js';

/**
 * What every handle that can be saved has: the kind that made it, its config as plain JSON data with
 * every default filled in (including `seed`), and a way to free its weights.
 * @category Save and load
 */
export interface SavableHandle {
  /** The registered kind (`'undercomplete'`, `'gan'`, ...). */
  readonly kind: string;
  /** The builder's config, JSON data only, with every default filled in. */
  readonly config: object;
  /** Frees every weight; `load` calls it when loading fails after the rebuild. */
  dispose(): void;
  /** Optional: training progress to save with the weights (JSON data, such as `{ epochsTrained: 3 }`). */
  trainingState?(): Readonly<Record<string, unknown>>;
  /** Optional: puts back what {@link SavableHandle.trainingState} returned, after `load` copied the weights. */
  restoreTrainingState?(state: Readonly<Record<string, unknown>>): void;
}

/**
 * Options of {@link load}. Which keys exist depends on the saved model's kind (each kind declares its
 * own, such as a denoising model's `noise`); an option the kind does not take is an error.
 * @category Save and load
 */
export type LoadOptions = Readonly<Record<string, unknown>>;

/**
 * The named `tf.LayersModel`s that together hold all of a handle's weights. Order matters: the first
 * part is stored at the save location itself, each further part under `<location>/<name>` (a subfolder
 * on disk, a suffix on a browser URL). Names: a letter, then letters, digits, `_` or `-`.
 */
export type ModelParts = Readonly<Record<string, tfl.LayersModel>>;

/**
 * How one model kind is saved and loaded; see {@link defineModelKind}.
 *
 * @typeParam H - the handle type the kind's builder returns.
 */
export interface ModelKindDefinition<H extends SavableHandle = SavableHandle> {
  /** The `kind` the builder puts on its handles: a letter, then letters, digits, `_`, `-`. */
  kind: string;
  /** Names saves of this kind carry from earlier latentkit versions; they load through {@link ModelKindDefinition.upgradeConfig}. */
  aliases?: readonly string[];
  /**
   * Brings a config saved by an earlier version into the current form (a renamed field, say); `savedKind`
   * is the kind name the save carries (this kind or one of its aliases). Default: the config as saved.
   */
  upgradeConfig?(config: Record<string, unknown>, savedKind: string): Record<string, unknown>;
  /** The options `load` takes for this kind (checked: an unknown key is an error). Default: none. */
  loadOptions?: Pick<OptionsSchema<object>, 'check'>;
  /**
   * Builds a new handle with the saved architecture from the saved config (with the saved `seed`, a
   * builder rebuilds the same layers with the same names). Its initial weights are overwritten next.
   * A `ConfigError` whose `parameter` starts with `load.` is passed on as a problem with the options;
   * any other `ConfigError` is reported as a bad config in the saved file.
   */
  rebuild(config: Record<string, unknown>, options: Record<string, unknown>): H | Promise<H>;
  /** The models whose weights are saved, by part name; see {@link ModelParts}. Called on save and after the rebuild. */
  parts(handle: H): ModelParts;
  /**
   * Optional: puts the weights of the saved part `part` (loaded as its own model, `saved`) into the
   * rebuilt handle. Default: {@link copyLayersModelWeights} into `parts(handle)[part]`. `saved` is
   * disposed afterwards, so keep no reference to its weights. `where` names the stored part for errors.
   */
  receiveWeights?(handle: H, part: string, saved: tfl.LayersModel, where: string): void;
}

/** Options of {@link defineModelKind}. */
export interface DefineModelKindOptions {
  /** Replace an existing definition of the same kind instead of throwing. Default `false`. */
  replace?: boolean;
}

// The one registry of the process, like tfjs's serialization registry: kinds register when their module
// loads, and save/load look them up by the name stored in the file.
const registry = new Map<string, ModelKindDefinition>();
const aliases = new Map<string, string>();

const KIND_NAME = /^[A-Za-z][A-Za-z0-9_-]*$/;

/**
 * Makes a model kind savable and loadable: `save` writes `parts(handle)` and the handle's config; `load`
 * finds the definition by the saved kind (or an alias), upgrades an old config, rebuilds the handle and
 * fills in the weights. Call it next to the kind's builder, so that importing the builder registers it.
 *
 * @param definition - see {@link ModelKindDefinition}.
 * @param options - `replace` an earlier definition of the kind.
 * @returns the definition.
 * @throws ConfigError on a bad kind name, an incomplete definition, or a kind (or alias) already defined
 *   (unless `replace`).
 */
export function defineModelKind<H extends SavableHandle>(
  definition: ModelKindDefinition<H>,
  options: DefineModelKindOptions = {},
): ModelKindDefinition<H> {
  if (typeof definition !== 'object' || definition === null || typeof definition.rebuild !== 'function' || typeof definition.parts !== 'function') {
    throw new ConfigError('defineModelKind.definition', definition, 'an object with kind, rebuild(config, options) and parts(handle)');
  }
  const { kind } = definition;
  const names = [kind, ...(definition.aliases ?? [])];
  for (const name of names) {
    if (typeof name !== 'string' || !KIND_NAME.test(name)) {
      throw new ConfigError('defineModelKind.kind', name, 'a name of letters, digits, _ and - starting with a letter');
    }
  }
  for (const key of ['receiveWeights', 'upgradeConfig'] as const) {
    if (definition[key] !== undefined && typeof definition[key] !== 'function') {
      throw new ConfigError(`defineModelKind.definition.${key}`, definition[key], 'a function or undefined');
    }
  }
  if (options.replace !== true) {
    const taken = names.find((n) => registry.has(n) || aliases.has(n));
    if (taken !== undefined) throw new ConfigError('defineModelKind.kind', taken, 'a kind not defined yet (pass { replace: true } to replace it)');
  }
  registry.set(kind, definition as unknown as ModelKindDefinition);
  for (const alias of definition.aliases ?? []) aliases.set(alias, kind);
  return definition;
}

/** The kinds defined so far (not their aliases), sorted. */
export function registeredModelKinds(): string[] {
  return [...registry.keys()].sort();
}

/** The definition of `kind`, or of the kind that has `kind` as an alias, if any. */
export function modelKind(kind: string): ModelKindDefinition | undefined {
  return registry.get(kind) ?? registry.get(aliases.get(kind) ?? '');
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
