// The /train network as Playground draws it: each neuron is a small canvas showing its output
// over the input plane, edges are SVG paths whose width and colour are restyled in place every
// frame. The DOM is built once per architecture; a frame only sets attributes and pixels.
// Weight values are shown for the edge under the pointer only, so labels never pile up.

import { PlaneView } from "./boundary_canvas.js";

const SVG = "http://www.w3.org/2000/svg";
const POSITIVE = "#0877bd";
const NEGATIVE = "#f59322";

export class NetworkView {
  /** `onEnter(layer, unit)` / `onLeave()` fire when a neuron is hovered or tapped. */
  constructor(container, { onEnter, onLeave, describeEdge, describeNode }) {
    Object.assign(this, { container, onEnter, onLeave, describeEdge, describeNode });
    this.key = "";
    this.svg = document.createElementNS(SVG, "svg");
    this.svg.classList.add("trn-edges");
    this.nodes = document.createElement("div");
    this.nodes.id = "tr-neurons";
    this.nodes.className = "trn-nodes";
    this.tip = document.createElement("div");
    this.tip.className = "trn-tip";
    this.tip.hidden = true;
    this.tip.setAttribute("role", "status");
    container.replaceChildren(this.svg, this.nodes, this.tip);
  }

  /** Build the nodes and edges for `sizes`; a no-op when nothing changed. */
  layout(sizes, inputLabels, layerNames) {
    const width = Math.max(240, this.container.clientWidth);
    const key = JSON.stringify([sizes, inputLabels, layerNames, width]);
    if (key === this.key) return false;
    this.key = key;
    const height = this.container.clientHeight || 320;
    const widest = Math.max(...sizes);
    const label = 34; // room for the input labels on the left
    const gapX = (width - label - 8) / sizes.length;
    const node = Math.max(14, Math.min(40, (height - 30) / widest - 8, gapX * 0.45));
    const x = (l) => label + gapX * (l + 0.5);
    const y = (l, j) => 24 + ((height - 24) * (j + 0.5)) / sizes[l];
    this.geometry = { node, x, y };
    this.svg.setAttribute("viewBox", `0 0 ${width} ${height}`);
    this.svg.setAttribute("width", String(width));
    this.svg.setAttribute("height", String(height));
    this.svg.replaceChildren();
    this.nodes.replaceChildren();
    this.edges = [];
    this.planes = [];
    for (let l = 1; l < sizes.length; l += 1) {
      const layerEdges = [];
      for (let i = 0; i < sizes[l - 1]; i += 1) {
        const row = [];
        for (let j = 0; j < sizes[l]; j += 1) {
          const path = document.createElementNS(SVG, "path");
          const [ax, ay, bx, by] = [x(l - 1) + node / 2, y(l - 1, i), x(l) - node / 2, y(l, j)];
          const mid = (ax + bx) / 2;
          path.setAttribute("d", `M${ax},${ay} C${mid},${ay} ${mid},${by} ${bx},${by}`);
          path.dataset.edge = `${l},${i},${j}`;
          path.addEventListener("pointerenter", (e) => this.showTip(e, this.describeEdge(l, i, j)));
          path.addEventListener("pointerleave", () => this.hideTip());
          this.svg.append(path);
          row.push(path);
        }
        layerEdges.push(row);
      }
      this.edges.push(layerEdges);
    }
    sizes.forEach((count, l) => {
      const column = [];
      const title = document.createElement("div");
      title.className = "trn-layer";
      title.textContent = layerNames[l];
      title.style.left = `${x(l)}px`;
      this.nodes.append(title);
      for (let j = 0; j < count; j += 1) {
        const canvas = document.createElement("canvas");
        canvas.className = "trn-node";
        canvas.width = 40;
        canvas.height = 40;
        canvas.dataset.layer = String(l);
        canvas.dataset.unit = String(j);
        canvas.tabIndex = 0;
        canvas.setAttribute("aria-label", l === 0 ? inputLabels[j] : `${layerNames[l]} ${j + 1}`);
        Object.assign(canvas.style, {
          left: `${x(l) - node / 2}px`,
          top: `${y(l, j) - node / 2}px`,
          width: `${node}px`,
          height: `${node}px`,
        });
        const enter = (e) => {
          this.onEnter(l, j);
          this.showTip(e, this.describeNode(l, j));
        };
        const leave = () => {
          this.onLeave();
          this.hideTip();
        };
        canvas.addEventListener("pointerenter", enter);
        canvas.addEventListener("pointerleave", leave);
        canvas.addEventListener("focus", enter);
        canvas.addEventListener("blur", leave);
        this.nodes.append(canvas);
        if (l === 0) {
          const text = document.createElement("span");
          text.className = "trn-input";
          text.textContent = inputLabels[j];
          Object.assign(text.style, { left: `${x(0) - node / 2 - 4}px`, top: `${y(0, j)}px` });
          this.nodes.append(text);
        }
        column.push(new PlaneView(canvas));
      }
      this.planes.push(column);
    });
    return true;
  }

  /** Restyle every edge from `matrices` (weights or gradients): sign → colour, size → width. */
  updateEdges(matrices, relative) {
    if (!this.edges || !matrices) return;
    let scale = 1;
    if (relative) {
      let max = 1e-12;
      for (const W of matrices) for (const row of W) for (const v of row) if (v !== null) max = Math.max(max, Math.abs(v));
      scale = 3 / max;
    }
    this.edges.forEach((layer, l) => {
      const W = matrices[l];
      if (!W) return;
      layer.forEach((row, i) =>
        row.forEach((path, j) => {
          const v = W[i]?.[j] ?? 0;
          path.setAttribute("stroke", v >= 0 ? POSITIVE : NEGATIVE);
          path.setAttribute("stroke-width", Math.min(8, 0.4 + Math.abs(v) * scale).toFixed(2));
        }),
      );
    });
  }

  /** Draw one neuron's grid into its node. */
  drawNode(l, j, grid, toUnit) {
    this.planes[l]?.[j]?.draw({ grid, toUnit });
  }

  showTip(event, text) {
    if (!text) return;
    const box = this.container.getBoundingClientRect();
    this.tip.textContent = text;
    this.tip.hidden = false;
    this.tip.style.left = `${Math.min(box.width - 160, Math.max(0, event.clientX - box.left + 10))}px`;
    this.tip.style.top = `${Math.max(0, event.clientY - box.top + 10)}px`;
  }

  hideTip() {
    this.tip.hidden = true;
  }
}
