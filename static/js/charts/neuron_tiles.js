// Small heatmaps of every neuron's output over the input plane, one column per layer
// (TensorFlow Playground's node thumbnails). Drawn on <canvas>: dozens of tiles per frame.
//
//   drawNeuronTiles(container, grids, {onEnter(layer, unit), onLeave(), labels})
//   grids.layers[l][j][i][k] = output of unit j of layer l at grid point (x[k], y[i])
//   Colours: blue positive, orange negative, white 0; scaled by the layer's largest |value|.

const POS = [37, 99, 235];
const NEG = [245, 158, 11];

function paint(canvas, grid, scale) {
  const rows = grid.length;
  const cols = grid[0].length;
  canvas.width = cols;
  canvas.height = rows;
  const ctx = canvas.getContext("2d");
  const image = ctx.createImageData(cols, rows);
  for (let i = 0; i < rows; i++) {
    for (let k = 0; k < cols; k++) {
      const value = grid[rows - 1 - i][k]; // canvas row 0 is the top: the largest x₂
      const at = 4 * (i * cols + k);
      if (value === null) {
        image.data.set([148, 163, 184, 255], at);
        continue;
      }
      const s = Math.min(1, Math.abs(value) / scale);
      const rgb = value >= 0 ? POS : NEG;
      image.data.set(rgb.map((c) => Math.round(255 + (c - 255) * s)).concat(255), at);
    }
  }
  ctx.putImageData(image, 0, 0);
}

function layerScale(units) {
  let max = 1e-12;
  for (const grid of units) for (const row of grid) for (const v of row) if (v !== null) max = Math.max(max, Math.abs(v));
  return max;
}

export function drawNeuronTiles(container, grids, options = {}) {
  const layers = grids.layers;
  const shape = layers.map((units) => units.length).join(",");
  if (container.dataset.shape !== shape) {
    container.replaceChildren();
    layers.forEach((units, l) => {
      const column = document.createElement("div");
      column.className = "tile-column";
      const title = document.createElement("span");
      title.className = "tile-title";
      title.textContent = options.labels?.[l] ?? String(l);
      column.append(title);
      units.forEach((_, j) => {
        const canvas = document.createElement("canvas");
        canvas.className = "tile";
        canvas.dataset.layer = String(l);
        canvas.dataset.unit = String(j);
        canvas.setAttribute("role", "img");
        canvas.setAttribute("aria-label", `${options.labels?.[l] ?? l} · ${j + 1}`);
        canvas.addEventListener("mouseenter", () => options.onEnter?.(l, j));
        canvas.addEventListener("mouseleave", () => options.onLeave?.());
        column.append(canvas);
      });
      container.append(column);
    });
    container.dataset.shape = shape;
  }
  const columns = container.querySelectorAll(".tile-column");
  layers.forEach((units, l) => {
    const scale = layerScale(units);
    const canvases = columns[l].querySelectorAll("canvas");
    units.forEach((grid, j) => paint(canvases[j], grid, scale));
  });
}
