/**
 * confusionPlot: one shaded cell per (true, predicted) pair, counts written in, names escaped, bad
 * matrices refused.
 */
import { describe, expect, it } from 'vitest';
import { ConfigError, confusionPlot } from '../../src/index.js';

describe('confusionPlot', () => {
  it('draws a cell per pair, shaded by the share of its row, with the counts and class names', () => {
    const svg = confusionPlot([[8, 2], [0, 5]], { title: 'digits <test>', classNames: ['zero', 'one & more'] });
    expect(svg).toMatch(/^<svg xmlns/);
    expect(svg.match(/<rect /g)).toHaveLength(4);
    expect(svg).toContain('digits &lt;test&gt;');
    expect(svg).toContain('one &amp; more');
    expect(svg).toContain('<title>true zero, predicted one &amp; more: 2</title>');
    // A full row on the diagonal is the darkest green; an empty cell is white.
    expect(svg).toMatch(/<rect [^>]*fill="rgb\(0,140,0\)"[^>]*><title>true one &amp; more, predicted one &amp; more: 5/);
    expect(svg).toMatch(/<rect [^>]*fill="rgb\(255,255,255\)"[^>]*><title>true one &amp; more, predicted zero: 0/);
    expect(svg).toMatch(/>8<\/text>/);
  });

  it('refuses matrices that are not square counts, and names that do not fit', () => {
    expect(() => confusionPlot([[1, 2]])).toThrow(/confusion = \[\[1, 2\]\]: expected a square matrix/);
    expect(() => confusionPlot([[1, -1], [0, 1]])).toThrow(ConfigError);
    expect(() => confusionPlot([[1]], { classNames: ['a', 'b'] })).toThrow(/confusionPlot.classNames = \["a", "b"\]: expected 1 class names/);
  });
});
