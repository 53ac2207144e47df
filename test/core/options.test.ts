/**
 * The options checker itself: unknown keys with the nearest valid one, nested keys, required fields,
 * defaults, types and ranges, renamed keys, keys of a sibling variant, cross-field rules, `null` from JSON.
 */
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/index.js';
import { editDistance, exclusive, field, is, nearest, optionsSchema } from '../../src/advanced.js';

interface Inner {
  patience?: number;
  mode?: 'min' | 'max';
}
interface Outer {
  epochs?: number;
  hiddenUnits?: number[];
  inner?: Inner;
  a?: number;
  b?: number;
  name: string;
}

const INNER = optionsSchema<Inner>()('inner', { patience: is.nonNegativeInt().default(0), mode: is.oneOf(['min', 'max'] as const) });
const OUTER = optionsSchema<Outer>()(
  'thing',
  {
    epochs: is.positiveInt().default(10),
    hiddenUnits: is.positiveIntArray().default(() => []),
    inner: is.object(INNER),
    a: is.number({ min: 0, max: 1, maxOpen: true }),
    b: is.number(),
    name: field((v, p) => {
      if (typeof v !== 'string') throw new ConfigError(p, v, 'a name');
      return v;
    }).required(),
  },
  { rules: [exclusive('a', 'b')], renamed: { size: 'hiddenUnits' }, elsewhere: { filters: 'to be left out here (it configures the other variant)' } },
);

function configError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return e as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

describe('options checker', () => {
  it('fills in defaults and keeps what was given, in a new object', () => {
    const given = { name: 'x', hiddenUnits: [3, 4] };
    const o = OUTER.check(given);
    expect(o).toEqual({ epochs: 10, hiddenUnits: [3, 4], name: 'x' });
    expect(o.hiddenUnits).not.toBe(given.hiddenUnits);
    expect(OUTER.keys).toEqual(['epochs', 'hiddenUnits', 'inner', 'a', 'b', 'name']);
  });

  it('names an unknown key and the nearest valid one', () => {
    const e = configError(() => OUTER.check({ name: 'x', hiddenUnit: [4] }));
    expect(e.parameter).toBe('thing.hiddenUnit');
    expect(e.message).toMatch(/thing\.hiddenUnit = \[4\]: unknown option; did you mean `hiddenUnits`\? The options of thing are epochs, hiddenUnits/);
    // Nothing near: no guess, only the list.
    const far = configError(() => OUTER.check({ name: 'x', zzzzzzzz: 1 }));
    expect(far.message).not.toMatch(/did you mean/);
    expect(far.message).toMatch(/unknown option; The options of thing are/);
  });

  it('names nested keys with their full path', () => {
    const e = configError(() => OUTER.check({ name: 'x', inner: { patinece: 3 } }));
    expect(e.parameter).toBe('thing.inner.patinece');
    expect(e.message).toMatch(/did you mean `patience`\?/);
    expect(configError(() => OUTER.check({ name: 'x', inner: { mode: 'up' } })).parameter).toBe('thing.inner.mode');
  });

  it('checks types, ranges and enumerations, naming the parameter, the value and what was expected', () => {
    expect(configError(() => OUTER.check({ name: 'x', epochs: 0 })).message).toBe('latentkit: thing.epochs = 0: expected a positive integer.');
    expect(configError(() => OUTER.check({ name: 'x', a: 1 })).message).toBe('latentkit: thing.a = 1: expected a finite number in [0, 1).');
    expect(configError(() => OUTER.check({ name: 'x', hiddenUnits: [2, -1] })).parameter).toBe('thing.hiddenUnits[1]');
    expect(configError(() => OUTER.check({ name: 'x', inner: 5 })).message).toBe('latentkit: thing.inner = 5: expected an options object.');
    expect(configError(() => OUTER.check('fast')).message).toBe('latentkit: thing = "fast": expected an options object.');
    expect(configError(() => OUTER.check([])).parameter).toBe('thing');
  });

  it('reports a missing required field through its own check', () => {
    expect(configError(() => OUTER.check({})).message).toBe('latentkit: thing.name = undefined: expected a name.');
  });

  it('runs cross-field rules after the fields', () => {
    const e = configError(() => OUTER.check({ name: 'x', a: 0.5, b: 2 }));
    expect(e.parameter).toBe('thing.b');
    expect(e.message).toMatch(/to be left out when a is given/);
  });

  it('says when a key was renamed, or belongs to a sibling variant', () => {
    expect(configError(() => OUTER.check({ name: 'x', size: 3 })).message).toBe('latentkit: thing.size = 3: expected `hiddenUnits` instead (the option was renamed).');
    expect(configError(() => OUTER.check({ name: 'x', filters: [8] })).message).toMatch(/thing\.filters = \[8\]: expected to be left out here/);
  });

  it('treats null as absent only where asked (options from JSON)', () => {
    expect(configError(() => OUTER.check({ name: 'x', epochs: null })).parameter).toBe('thing.epochs');
    const json = optionsSchema<{ mean?: number }>()('noise', { mean: is.number().default(0) }, { nullIsAbsent: true });
    expect(json.check({ mean: null })).toEqual({ mean: 0 });
  });

  it('suggests by edit distance with transpositions, case-insensitively, or by containment', () => {
    expect(editDistance('patinece', 'patience')).toBe(1);
    expect(editDistance('hidenUnit', 'hiddenUnits')).toBe(2);
    expect(editDistance('epohcs', 'epochs')).toBe(1);
    expect(nearest('Epoch', ['epochs', 'batchSize'])).toBe('epochs');
    expect(nearest('batch', ['epochs', 'batchSize'])).toBe('batchSize');
    expect(nearest('lr', ['epochs', 'learningRate'])).toBeUndefined();
  });
});

describe('options objects', () => {
  it('a class instance (a tensor passed where options belong) is refused as not an options object', async () => {
    const tf = await import('@tensorflow/tfjs-core');
    const { saltAndPepperNoise } = await import('../../src/index.js');
    const t = tf.zeros([2, 2]);
    try {
      expect(() => saltAndPepperNoise(t as never)).toThrow(/saltAndPepperNoise = .*expected an options object/);
    } finally {
      t.dispose();
    }
    // Plain objects of any prototype-less kind are still options.
    expect(() => saltAndPepperNoise(Object.assign(Object.create(null), { rate: 0.1 }))).not.toThrow();
  });
});
