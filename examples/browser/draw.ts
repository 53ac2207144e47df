/**
 * Canvas drawing for the demo: grids of 28x28 images and small line charts. No tensors here: callers
 * pass plain arrays read from them.
 * @module
 */

/** Draws `count` images of `side` x `side` values in [0, 1] (dark ink on white) in a grid of `cols` columns. */
export function drawImages(canvas: HTMLCanvasElement, pixels: ArrayLike<number>, count: number, cols: number, options: { side?: number; scale?: number; gap?: number } = {}): void {
  const side = options.side ?? 28;
  const scale = options.scale ?? 2;
  const gap = options.gap ?? 2;
  const rows = Math.ceil(count / cols);
  const cell = side * scale + gap;
  canvas.width = cols * cell - gap;
  canvas.height = rows * cell - gap;
  const ctx = canvas.getContext('2d')!;
  ctx.fillStyle = '#ffffff';
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  const image = ctx.createImageData(side, side);
  const tile = document.createElement('canvas');
  tile.width = side;
  tile.height = side;
  const tileCtx = tile.getContext('2d')!;
  ctx.imageSmoothingEnabled = false;
  for (let n = 0; n < count; n++) {
    for (let p = 0; p < side * side; p++) {
      const v = Math.round(255 * (1 - Math.min(1, Math.max(0, pixels[n * side * side + p]!))));
      image.data[4 * p] = v;
      image.data[4 * p + 1] = v;
      image.data[4 * p + 2] = Math.min(255, v + 12);
      image.data[4 * p + 3] = 255;
    }
    tileCtx.putImageData(image, 0, 0);
    ctx.drawImage(tile, (n % cols) * cell, Math.floor(n / cols) * cell, side * scale, side * scale);
  }
}

/** One line of a chart: `y` values at `x` (default 0, 1, 2, ...). */
export interface Series {
  y: number[];
  x?: number[];
  color: string;
  width?: number;
  dots?: boolean;
  label?: string;
}

/** A line chart with a y axis from the data's range (and the x axis from 0 to `xMax`). */
export function drawChart(canvas: HTMLCanvasElement, series: Series[], options: { xMax?: number; xLabel?: string } = {}): void {
  // Draw at the size the page shows, so that the text stays sharp.
  const shown = Math.round(canvas.clientWidth);
  if (shown > 0 && canvas.width !== shown) canvas.width = shown;
  const ctx = canvas.getContext('2d')!;
  const { width, height } = canvas;
  const pad = { left: 52, right: 12, top: 12, bottom: 28 };
  ctx.fillStyle = '#ffffff';
  ctx.fillRect(0, 0, width, height);
  const all = series.flatMap((s) => s.y).filter(Number.isFinite);
  ctx.font = '11px system-ui, sans-serif';
  ctx.fillStyle = '#5d6778';
  if (all.length === 0) {
    ctx.fillText('no data yet: train to see the loss', pad.left, height / 2);
    return;
  }
  let lo = Math.min(...all);
  let hi = Math.max(...all);
  if (hi - lo < 1e-9) [lo, hi] = [lo - 0.5, hi + 0.5];
  const span = hi - lo;
  lo -= 0.05 * span;
  hi += 0.05 * span;
  const xMax = Math.max(1, options.xMax ?? Math.max(...series.map((s) => (s.x ? Math.max(...s.x) : s.y.length - 1))));
  const px = (x: number): number => pad.left + (x / xMax) * (width - pad.left - pad.right);
  const py = (y: number): number => pad.top + (1 - (y - lo) / (hi - lo)) * (height - pad.top - pad.bottom);

  ctx.strokeStyle = '#d8dde6';
  ctx.lineWidth = 1;
  for (let i = 0; i <= 4; i++) {
    const y = lo + ((hi - lo) * i) / 4;
    ctx.beginPath();
    ctx.moveTo(pad.left, py(y));
    ctx.lineTo(width - pad.right, py(y));
    ctx.stroke();
    ctx.fillText(y.toPrecision(3), 4, py(y) + 4);
  }
  ctx.fillText(options.xLabel ?? '', width - pad.right - ctx.measureText(options.xLabel ?? '').width, height - 8);
  ctx.fillText('0', pad.left, height - 8);

  let legendX = pad.left + 8;
  for (const s of series) {
    const xs = s.x ?? s.y.map((_, i) => i);
    ctx.strokeStyle = s.color;
    ctx.fillStyle = s.color;
    ctx.lineWidth = s.width ?? 1.5;
    ctx.beginPath();
    s.y.forEach((y, i) => (i === 0 ? ctx.moveTo(px(xs[i]!), py(y)) : ctx.lineTo(px(xs[i]!), py(y))));
    ctx.stroke();
    if (s.dots) {
      s.y.forEach((y, i) => {
        ctx.beginPath();
        ctx.arc(px(xs[i]!), py(y), 3.5, 0, 2 * Math.PI);
        ctx.fill();
      });
    }
    if (s.label) {
      ctx.fillRect(legendX, pad.top + 2, 10, 3);
      ctx.fillText(s.label, legendX + 14, pad.top + 8);
      legendX += 24 + ctx.measureText(s.label).width;
    }
  }
}
