// Small SVG charts the experiment views share (axes, a log scale, lines, a legend). They only
// place numbers nndl computed; nothing here computes a result.

import { h } from "./dom.js";

export const COLORS = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b",
                       "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"];

/** Round tick values over [lo, hi] (about n of them). */
export function ticks(lo, hi, n = 5) {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / n;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((k) => k * mag).find((s) => s >= raw) || raw;
  const out = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(Number(v.toPrecision(12)));
  return out;
}

const SUP = { "-": "⁻", 0: "⁰", 1: "¹", 2: "²", 3: "³", 4: "⁴", 5: "⁵", 6: "⁶", 7: "⁷", 8: "⁸", 9: "⁹" };
/** 10^v as a reader writes it (10⁻², not 1e-2). */
export const pow10 = (v) => `10${String(v).replace(/./g, (c) => SUP[c] ?? c)}`;

/** A chart frame: x and y scales, grid, axes and labels. ylog: y is plotted as log10; xint:
 *  x counts something (epochs, layers), so its ticks are whole numbers only. */
export function frame({ W = 560, H = 300, x0, x1, y0, y1, xlabel = "", ylabel = "", ylog = false,
                        xint = false, title = "", id = null }) {
  const M = { l: 62, r: 14, t: title ? 26 : 12, b: 38 };
  const X = (x) => M.l + (x - x0) / (x1 - x0 || 1) * (W - M.l - M.r);
  const Y = (y) => M.t + (y1 - y) / (y1 - y0 || 1) * (H - M.t - M.b);
  // a chart is one picture to a screen reader, named by its title (or its axes)
  const name = title || [ylabel, xlabel].filter(Boolean).join(" / ");
  const svg = h("svg", { viewBox: `0 0 ${W} ${H}`, id, class: "chart", role: "img", "aria-label": name || null });
  const clipId = `clip-${id || Math.random().toString(36).slice(2)}`;
  svg.append(h("defs", {}, h("clipPath", { id: clipId },
    h("rect", { x: M.l, y: M.t, width: W - M.l - M.r, height: H - M.t - M.b }))));
  svg.append(h("rect", { x: M.l, y: M.t, width: W - M.l - M.r, height: H - M.t - M.b, fill: "#fff", stroke: "#d0d7de" }));
  for (const v of ticks(x0, x1, 6).filter((x) => !xint || Number.isInteger(x))) {
    svg.append(h("line", { x1: X(v), x2: X(v), y1: M.t, y2: H - M.b, stroke: "#eef1f4" }),
      h("text", { x: X(v), y: H - M.b + 14, "font-size": 11, "text-anchor": "middle", fill: "#5b6475", text: String(v) }));
  }
  for (const v of ticks(y0, y1, 5)) {
    svg.append(h("line", { x1: M.l, x2: W - M.r, y1: Y(v), y2: Y(v), stroke: "#eef1f4" }),
      h("text", { x: M.l - 5, y: Y(v) + 4, "font-size": 11, "text-anchor": "end", fill: "#5b6475",
                  text: ylog ? (Number.isInteger(v) ? pow10(v) : "") : String(v) }));
  }
  if (xlabel) svg.append(h("text", { x: (M.l + W - M.r) / 2, y: H - 6, "font-size": 12, "text-anchor": "middle", fill: "#1d2330", text: xlabel }));
  if (ylabel) svg.append(h("text", { x: 12, y: (M.t + H - M.b) / 2, "font-size": 12, "text-anchor": "middle", fill: "#1d2330",
                                     transform: `rotate(-90 12 ${(M.t + H - M.b) / 2})`, text: ylabel }));
  if (title) svg.append(h("text", { x: M.l, y: 16, "font-size": 13, "font-weight": "bold", fill: "#1d2330", text: title }));
  const plot = h("g", { "clip-path": `url(#${clipId})` });
  svg.append(plot);
  return { svg, plot, X, Y, M, W, H };
}

/** A polyline of (x, y) points (null y: a gap). */
export function line(f, pts, { dots = false, ...attrs } = {}) {
  const segs = [];
  let cur = [];
  for (const [x, y] of pts) {
    if (y === null || !Number.isFinite(y)) { if (cur.length) segs.push(cur); cur = []; continue; }
    cur.push(`${f.X(x).toFixed(1)},${f.Y(y).toFixed(1)}`);
  }
  if (cur.length) segs.push(cur);
  const g = h("g", {});
  for (const s of segs) g.append(h("polyline", { points: s.join(" "), fill: "none", "stroke-width": 2, ...attrs }));
  for (const [x, y] of pts) {
    if (dots && y !== null && Number.isFinite(y)) g.append(h("circle", { cx: f.X(x), cy: f.Y(y), r: 2.5, fill: attrs.stroke }));
  }
  return g;
}

/** A legend under a chart: [{label, color, dash}] (dash: true or "dashed", "dotted", or none). */
export function legend(items) {
  return h("div", { class: "legend" }, items.map((it) => h("span", { class: "key" },
    h("i", { style: `border-top: 3px ${it.dash === true ? "dashed" : it.dash || "solid"} ${it.color}` }), it.label)));
}

/** log10 of a positive number; null for 0 (a dead network's exactly zero gradient). */
export const log10 = (v) => (v > 0 ? Math.log10(v) : null);
