/**
 * Layer tables of models that share layers. tfjs-layers' `model.summary()` lists, for each layer, the
 * input shapes of every node the layer has in any model, so a decoder whose layers also serve the full
 * autoencoder shows each input shape twice. This table keeps only the layer's node in the model shown.
 * @module
 */
import type * as tfl from '@tensorflow/tfjs-layers';

interface GraphNode {
  inputShapes: unknown;
  outputShapes: unknown;
  inboundLayers: Array<{ name: string }>;
}

const WIDTHS = [32, 24, 22, 10];

function row(fields: string[], widths: number[]): string {
  return fields.map((f, i) => (i === fields.length - 1 ? f : f.slice(0, widths[i]! - 1).padEnd(widths[i]!))).join('');
}

const shapes = (s: unknown): string => JSON.stringify(s);

/**
 * The layer table of `model`: name and type, input and output shapes in this model, parameter count,
 * and for a graph with branches the layers each one receives; then the parameter totals.
 */
export function layerTable(model: tfl.LayersModel): string[] {
  const nodes = new Set<unknown>(Object.values(model.nodesByDepth).flat());
  const own = (layer: tfl.layers.Layer): GraphNode[] => (layer.inboundNodes as unknown as GraphNode[]).filter((n) => nodes.has(n));
  const branched = model.layers.some((l) => own(l).some((n) => n.inboundLayers.length > 1));
  const header = ['Layer (type)', 'Input shape', 'Output shape', 'Param #', ...(branched ? ['Receives'] : [])];
  const widths = branched ? [...WIDTHS, 12] : WIDTHS;
  const width = widths.reduce((a, b) => a + b, 0) + (branched ? 20 : 0);
  const lines = ['_'.repeat(width), row(header, widths), '='.repeat(width)];
  model.layers.forEach((layer, i) => {
    const mine = own(layer);
    const fields = [
      `${layer.name} (${layer.getClassName()})`,
      mine.map((n) => shapes(n.inputShapes)).join(','),
      mine.map((n) => shapes(n.outputShapes)).join(','),
      String(layer.countParams()),
    ];
    if (branched) fields.push(mine.flatMap((n) => n.inboundLayers.map((l) => l.name)).join(', '));
    lines.push(row(fields, widths), (i === model.layers.length - 1 ? '=' : '_').repeat(width));
  });
  const count = (weights: tfl.LayerVariable[]) => weights.reduce((s, w) => s + w.shape.reduce((a: number, b) => a * (b ?? 1), 1), 0);
  const trainable = count(model.trainableWeights);
  const frozen = count(model.nonTrainableWeights);
  lines.push(`Total params: ${trainable + frozen}`, `Trainable params: ${trainable}`, `Non-trainable params: ${frozen}`);
  return lines;
}
