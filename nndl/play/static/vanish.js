// #/vanish?depth=2-30&act=sigmoid,relu&init=xavier[&at=10] — exercise 3's vanishing gradient
// measured (nndl vanish): ‖∂ℓ/∂W⁽¹⁾‖ against depth for each activation and initialisation,
// and one network's per-layer norms with the sigmoid's 0.25^L bound.

import { api } from "./api.js";
import { CheckPanel, errorBox } from "./common.js";
import { clear, h } from "./dom.js";
import { COLORS, frame, legend, line, log10 } from "./plot.js";
import { t } from "./i18n.js";

const ACTS = ["sigmoid", "tanh", "relu"];
const INITS = ["pytorch", "xavier", "he"];
const SHEET = { depth: "2-30", act: "sigmoid,tanh,relu", init: "xavier" };
const DASH = { pytorch: null, xavier: "7 4", he: "2 3" };    // the lines' dashes
const KEY = { pytorch: null, xavier: "dashed", he: "dotted" }; // and the legend's

// how a Chinese reader names them (the English page keeps the command's own values, which
// are also what the address holds)
const ACT_NAME = { sigmoid: "Sigmoid", tanh: "Tanh", relu: "ReLU" };
const INIT_NAME = { pytorch: "PyTorch 默认", xavier: "Xavier", he: "He" };
const actName = (a, lang) => (lang === "zh" ? ACT_NAME[a] || a : a);
const initName = (i, lang) => (lang === "zh" ? INIT_NAME[i] || i : i);

const g3 = (v) => (v === null || v === undefined ? "—" : Number(Number(v).toPrecision(3)).toString());

export class VanishView {
  static PARTS = ["plot", "layers", "trends", "controls", "check"];

  constructor(root, app) {
    this.app = app;
    this.lang = app.lang;
    this.seq = 0;
    const L = (k, v) => t(k, this.lang, v);
    const text = (id, key, placeholder) => {
      const el = h("input", { type: "text", id, class: "mono", autocomplete: "off", placeholder });
      el.addEventListener("change", () => this.update({ [key]: el.value.trim() || null }));
      return el;
    };
    this.depth = text("depth", "depth", "2-30");
    this.width = text("width", "width", "32");
    this.batch = text("batch", "batch", "64");
    this.seed = text("seed", "seed", "0");
    const boxes = (key, names) => {
      const wrap = h("div", { class: "checks-inline", id: `${key}-boxes` });
      for (const n of names) {
        const b = h("input", { type: "checkbox", [`data-${key}`]: n });
        b.addEventListener("change", () => {
          const on = [...wrap.querySelectorAll("input:checked")].map((x) => x.getAttribute(`data-${key}`));
          this.update({ [key]: on.join(",") || null });
        });
        wrap.append(h("label", {}, b, " ", key === "act" ? actName(n, this.lang) : initName(n, this.lang)));
      }
      return wrap;
    };
    this.acts = boxes("act", ACTS);
    this.inits = boxes("init", INITS);
    this.err = h("div", { id: "error" });
    this.status = h("p", { class: "muted small", id: "status-line" });
    this.chart = h("div", { class: "plot", id: "depth-chart" });
    this.atSlider = h("input", { type: "range", id: "at", step: "1", "aria-label": L("one_network") });
    this.atSlider.addEventListener("input", () => { this.app.set({ at: this.atSlider.value }); this.drawLayers(); });
    this.layers = h("div", { class: "plot", id: "layer-chart" });
    this.trends = h("tbody");
    // exercise 3 with this page's depths (and its initialisation when one is chosen)
    this.checkPanel = new CheckPanel({ problem: 3, lang: this.lang, lead: L("check_lead_vanish"), api,
      params: () => {
        const p = { depths: this.params.get("depth") || "2-30" };
        const inits = (this.params.get("init") || "").split(",").filter(Boolean);
        if (inits.length === 1) p.init = inits[0];
        return p;
      } });
    root.append(
      h("h1", { text: L("vanish_title") }),
      h("p", { class: "lead", text: L("vanish_lead") }),
      h("div", { class: "cols" },
        h("div", {},
          h("div", { class: "panel", "data-part": "controls" },
            h("div", { class: "field-row" }, h("label", { for: "depth", text: L("depths") }), this.depth),
            h("label", { class: "field", text: L("activations") }), this.acts,
            h("label", { class: "field", text: L("inits") }), this.inits,
            h("div", { class: "field-row" }, h("label", { for: "width", text: L("width") }), this.width),
            h("div", { class: "field-row" }, h("label", { for: "batch", text: L("batch") }), this.batch),
            h("div", { class: "field-row" }, h("label", { for: "seed", text: L("seed") }), this.seed)),
          h("div", { class: "panel", "data-part": "trends" }, h("h2", { text: L("trend_title") }),
            h("p", { class: "muted small", text: L("trend_lead") }),
            h("table", { class: "data small", id: "trends" },
              h("thead", {}, h("tr", {}, h("th", { text: L("activation") }), h("th", { text: L("init") }),
                h("th", { class: "r", text: L("factor_per_layer") }))), this.trends)),
          this.checkPanel.el),
        h("div", {}, this.err, this.status,
          h("div", { "data-part": "plot" }, this.chart),
          h("div", { "data-part": "layers" },
            h("h2", { text: L("one_network") }),
            h("div", { class: "field-row" }, h("span", { class: "muted small", id: "at-label" }), this.atSlider),
            this.layers))));
  }

  get params() { return this.app.params; }

  update(changes) { this.app.set(changes); this.refresh(); }

  show(params) {
    if (!params.has("depth") && !params.has("act") && !params.has("init")) this.app.set(SHEET);
    this.refresh();
  }

  query() {
    const q = {};
    for (const k of ["depth", "act", "init", "width", "batch", "seed"]) if (this.params.has(k)) q[k] = this.params.get(k);
    return q;
  }

  syncControls() {
    for (const [el, k] of [[this.depth, "depth"], [this.width, "width"], [this.batch, "batch"], [this.seed, "seed"]]) {
      if (document.activeElement !== el) el.value = this.params.get(k) || "";
    }
    const on = (k, all) => new Set((this.params.get(k) || all.join(",")).split(","));
    const a = on("act", ACTS), i = on("init", INITS);
    for (const b of this.acts.querySelectorAll("input")) b.checked = a.has(b.dataset.act);
    for (const b of this.inits.querySelectorAll("input")) b.checked = i.has(b.dataset.init);
  }

  async refresh() {
    const seq = ++this.seq;
    this.syncControls();
    this.status.textContent = t("computing_run", this.lang);
    this.status.classList.add("busy");
    this.chart.classList.add("stale");
    const r = await api("vanish", this.query());
    if (seq !== this.seq) return;
    this.status.classList.remove("busy");
    this.chart.classList.remove("stale");
    if (!r.ok) { this.status.textContent = ""; clear(this.err).append(errorBox(r.data, this.lang)); return; }
    clear(this.err);
    this.s = r.data;
    this.status.textContent = t("vanish_status", this.lang, { width: this.s.width, batch: this.s.batch, seed: this.s.seed });
    this.drawDepths();
    this.drawTrends();
    const ds = this.s.depths;
    this.atSlider.min = String(ds[0]);
    this.atSlider.max = String(ds[ds.length - 1]);
    const at = Number(this.params.get("at"));
    this.atSlider.value = String(ds.includes(at) ? at : ds[Math.min(ds.length - 1, ds.indexOf(10) >= 0 ? ds.indexOf(10) : ds.length - 1)]);
    this.drawLayers();
  }

  color(run) { return COLORS[this.s.activations.indexOf(run.activation) % COLORS.length]; }

  drawDepths() {
    const s = this.s;
    const series = [];
    for (const a of s.activations) for (const i of s.inits) {
      const runs = s.runs.filter((r) => r.activation === a && r.init === i);
      series.push({ a, i, pts: runs.map((r) => [r.depth, log10(r.layers[0].grad_norm)]) });
    }
    const ys = series.flatMap((x) => x.pts.map((p) => p[1])).filter((v) => v !== null);
    const lo = Math.floor(Math.min(...ys, 0)), hi = Math.ceil(Math.max(...ys, 0));
    const d0 = s.depths[0], d1 = s.depths[s.depths.length - 1];
    const f = frame({ x0: d0, x1: d1 === d0 ? d0 + 1 : d1, y0: lo, y1: hi === lo ? lo + 1 : hi, ylog: true, xint: true, id: "vanish-depth",
      xlabel: t("hidden_layers", this.lang), ylabel: "‖∂ℓ/∂W⁽¹⁾‖", title: t("first_layer_grad", this.lang) });
    for (const x of series) {
      f.plot.append(line(f, x.pts, { stroke: COLORS[s.activations.indexOf(x.a) % COLORS.length],
        "stroke-dasharray": DASH[x.i], "data-series": `${x.a}/${x.i}`, dots: s.depths.length < 12 }));
    }
    clear(this.chart).append(f.svg, legend(series.map((x) => ({ label: `${actName(x.a, this.lang)} · ${initName(x.i, this.lang)}`,
      color: COLORS[s.activations.indexOf(x.a) % COLORS.length], dash: KEY[x.i] }))));
  }

  drawTrends() {
    clear(this.trends);
    for (const tr of this.s.trends) {
      this.trends.append(h("tr", { "data-trend": `${tr.activation}/${tr.init}` },
        h("td", { text: actName(tr.activation, this.lang) }), h("td", { text: initName(tr.init, this.lang) }),
        h("td", { class: "r num", text: `×${g3(tr.factor_per_layer)}` })));
    }
  }

  drawLayers() {
    if (!this.s) return;
    const depth = Number(this.atSlider.value);
    clear(document.getElementById("at-label") || h("span")).append(t("depth_is", this.lang, { n: depth }));
    const runs = this.s.runs.filter((r) => r.depth === depth);
    const ys = runs.flatMap((r) => r.layers.map((l) => log10(l.grad_norm))).filter((v) => v !== null);
    const sig = runs.find((r) => r.activation === "sigmoid");
    if (sig) ys.push(...sig.layers.flatMap((l) => [Math.log10(l.sigmoid_bound), log10(l.dtheta_product)]).filter((v) => v !== null));
    const lo = Math.floor(Math.min(...ys, 0)), hi = Math.ceil(Math.max(...ys, 0));
    const f = frame({ x0: 1, x1: depth + 1, y0: lo, y1: hi === lo ? lo + 1 : hi, ylog: true, xint: true, id: "vanish-layers",
      xlabel: t("layer_l", this.lang), ylabel: "‖∂ℓ/∂W⁽ˡ⁾‖", title: t("per_layer_grad", this.lang, { n: depth }) });
    const keys = [];
    for (const r of runs) {
      f.plot.append(line(f, r.layers.map((l) => [l.layer, log10(l.grad_norm)]),
        { stroke: this.color(r), "stroke-dasharray": DASH[r.init], "data-layers": `${r.activation}/${r.init}`, dots: true }));
      keys.push({ label: `${actName(r.activation, this.lang)} · ${initName(r.init, this.lang)}`, color: this.color(r), dash: KEY[r.init] });
    }
    if (sig) {  // what the norm's decay comes from: the product of the θ′ factors, and σ′ ≤ 1/4
      f.plot.append(line(f, sig.layers.map((l) => [l.layer, log10(l.dtheta_product)]),
        { stroke: "#57606a", "stroke-width": 1.5, "data-product": "sigmoid/" + sig.init, dots: true }));
      f.plot.append(line(f, sig.layers.map((l) => [l.layer, Math.log10(l.sigmoid_bound)]),
        { stroke: "#8c959f", "stroke-dasharray": "2 2", "stroke-width": 1.5, "data-bound": "sigmoid" }));
      keys.push({ label: t("sigmoid_product", this.lang, { init: initName(sig.init, this.lang) }), color: "#57606a" },
        { label: t("sigmoid_bound", this.lang), color: "#8c959f", dash: "dotted" });
    }
    clear(this.layers).append(f.svg, legend(keys));
  }
}
