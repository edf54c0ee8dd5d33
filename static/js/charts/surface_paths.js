// 3-D surface of a loss over two weights, with optimizer paths drawn on it.
//
//   drawSurfacePaths(element, {a, b, loss, paths: [{name, a, b, loss, color}], xTitle, yTitle,
//                              lossTitle})

// Plotly's 3-D (gl3d) bundle loads only when a surface is first drawn, so the page's 2-D
// figures draw without waiting for it. It is a second Plotly instance: this module keeps it
// and gives window.Plotly back to the page's 2-D bundle.
let plotly3d = null;

function load3d(url) {
  plotly3d ??= new Promise((resolve, reject) => {
    const flat = window.Plotly;
    const script = document.createElement("script");
    script.src = url;
    script.onload = () => {
      const three = window.Plotly;
      window.Plotly = flat;
      resolve(three);
    };
    script.onerror = () => {
      plotly3d = null;
      reject(new Error(`${url} did not load`));
    };
    document.head.append(script);
  });
  return plotly3d;
}

/** Draws into `element`, whose data-plotly3d attribute names the gl3d bundle's URL. */
export async function drawSurfacePaths(element, o) {
  const Plotly = await load3d(element.dataset.plotly3d);
  const inside = (p, k) =>
    p.a[k] !== null &&
    p.b[k] !== null &&
    p.a[k] >= o.a[0] &&
    p.a[k] <= o.a[o.a.length - 1] &&
    p.b[k] >= o.b[0] &&
    p.b[k] <= o.b[o.b.length - 1];
  const traces = [
    {
      type: "surface",
      x: o.a,
      y: o.b,
      z: o.loss,
      colorscale: "Viridis",
      opacity: 0.92,
      showscale: false,
      hovertemplate: `${o.xTitle} %{x:.4g}<br>${o.yTitle} %{y:.4g}<br>${o.lossTitle} %{z:.5g}<extra></extra>`,
    },
    ...o.paths.map((p) => ({
      type: "scatter3d",
      mode: "lines+markers",
      name: p.legend || p.name,
      opacity: p.opacity ?? 1,
      // Points off the grid are not drawn: the surface does not extend there.
      x: p.a.map((v, k) => (inside(p, k) ? v : null)),
      y: p.b.map((v, k) => (inside(p, k) ? v : null)),
      z: p.loss.map((v, k) => (inside(p, k) ? v : null)),
      line: { color: p.color, width: p.width > 4 ? 12 : 6 },
      marker: { size: 2.5, color: p.color },
    })),
  ];
  const layout = {
    height: o.height || 520,
    margin: { l: 0, r: 0, t: 8, b: 0 },
    legend: { orientation: "h", y: 0 },
    scene: {
      xaxis: { title: { text: o.xTitle } },
      yaxis: { title: { text: o.yTitle } },
      zaxis: { title: { text: o.lossTitle } },
      camera: { eye: { x: 1.5, y: -1.5, z: 1.1 } },
    },
    paper_bgcolor: "rgba(0,0,0,0)",
  };
  return Plotly.react(element, traces, layout, { responsive: true, displaylogo: false });
}
