// Frames for the /train page, from either transport, in one shape: grids become
// {n, lo, hi, values} (values row-major, y rising with the row), whatever their encoding.

/** A stream grid {n, lo, hi, q: base64 bytes} → values lo + byte/255 · (hi − lo). */
function decodeGrid(n, grid) {
  const bytes = atob(grid.q);
  const values = new Float32Array(bytes.length);
  const scale = (grid.hi - grid.lo) / 255;
  for (let i = 0; i < bytes.length; i += 1) values[i] = grid.lo + bytes.charCodeAt(i) * scale;
  return { n, lo: grid.lo, hi: grid.hi, values };
}

/** A grid of numbers (rows of columns; null where not finite) → {n, lo, hi, values}. */
function fromRows(rows) {
  const flat = rows.flat();
  const values = Float32Array.from(flat, (v) => (v === null ? Number.NaN : v));
  const finite = flat.filter((v) => v !== null);
  return { n: rows.length, lo: Math.min(0, ...finite), hi: Math.max(0, ...finite), values };
}

/** A stream frame with its grids decoded (fields the server left out stay absent). */
export function decodeFrame(message) {
  const frame = { ...message };
  if (message.boundary) frame.boundary = decodeGrid(message.boundary.n, message.boundary);
  if (message.neuron_grids) {
    const n = message.neuron_grids.n;
    frame.neuronGrids = message.neuron_grids.layers.map((layer) => layer.map((unit) => decodeGrid(n, unit)));
    delete frame.neuron_grids;
  }
  return frame;
}

/** A POST /api/v1/train response as a frame. */
export function frameFromHttp(data) {
  const last = data.history[data.history.length - 1];
  const b = data.boundary;
  return {
    iteration: data.optimizer_state.iterations,
    epoch: data.epoch,
    loss: last.loss,
    test_loss: last.test_loss ?? null,
    accuracy: last.accuracy ?? null,
    test_accuracy: last.test_accuracy ?? null,
    weights: data.weights,
    biases: data.biases,
    gradients: data.gradients,
    sizes: data.sizes,
    activations: data.activations.map((a) => a.name),
    task: { ...data.task, batches_per_epoch: data.batches_per_epoch },
    points: data.points,
    domain: b ? [b.x[0], b.x[b.x.length - 1], b.y[0], b.y[b.y.length - 1]] : null,
    boundary: b ? fromRows(b.z) : null,
    neuronGrids: data.neuron_grids ? data.neuron_grids.layers.map((layer) => layer.map(fromRows)) : null,
  };
}
