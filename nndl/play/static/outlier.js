// #/outlier?t=10[&epochs=300&lr=1&bias=1][&step=3] — exercise 2 live: the data set D and
// the outlier x4 = (0, −t) (a t slider on a log scale up to 1e9, or drag x4), the boundaries
// PLA and the sigmoid neuron find (nndl experiment outlier), PLA's epochs stepped one at a
// time, x4's gradient as it vanishes, and the report's own sentences.

import { api } from "./api.js";
import { CheckPanel, errorBox } from "./common.js";
import { clear, h } from "./dom.js";
import { COLORS, legend } from "./plot.js";
import { t } from "./i18n.js";

const SHEET = { t: "10" };
const T_MIN = 0.1, LOG_MAX = 9;   // the slider: log10 t from −1 to 9 (the sheet's 1e9)
const BOX = 3;                     // the drawing shows −3 ≤ x1, x2 ≤ 3 (more below for x4)

// the runs drawn, and where each one is in nndl experiment outlier's JSON
const RUNS = [
  { key: "pla_D", color: "#8c959f", dash: true, get: (d) => d.pla_D },
  { key: "bp_D", color: "#9467bd", dash: true, get: (d) => d.bp_D },
  { key: "pla_raw", color: COLORS[0], get: (d) => d.rows[0].pla_raw },
  { key: "pla_scaled", color: COLORS[2], get: (d) => d.rows[0].pla_scaled },
  { key: "bp", color: COLORS[3], get: (d) => d.rows[0].bp },
  { key: "bp_zeros", color: COLORS[1], get: (d) => d.rows[0].bp_zeros },
  { key: "ce", color: COLORS[4], get: (d) => d.rows[0].ce },
];

const g3 = (v) => (v === null || v === undefined ? "—" : Number(Number(v).toPrecision(3)).toString());
// 3 significant digits; very large or small numbers with an exponent (2.50e+8, 1.14e-14)
const sci = (v) => {
  if (v === null || v === undefined) return "—";
  const a = Math.abs(v);
  return a === 0 || (a >= 1e-4 && a < 1e5) ? g3(v) : Number(v).toExponential(2);
};

export class OutlierView {
  static PARTS = ["plot", "runs", "pla", "verdict", "controls", "check"];

  constructor(root, app) {
    this.app = app;
    this.lang = app.lang;
    this.seq = 0;
    const L = (k, v) => t(k, this.lang, v);
    this.slider = h("input", { type: "range", id: "t-slider", min: String(Math.log10(T_MIN)), max: String(LOG_MAX),
      step: "0.05", "aria-label": "t" });
    this.tBox = h("input", { type: "text", id: "t", class: "mono", inputmode: "decimal", autocomplete: "off", "aria-label": "t" });
    // while the slider moves only the number follows; a run (seconds) starts where it stops
    this.slider.addEventListener("input", () => {
      this.tBox.value = String(Number((10 ** Number(this.slider.value)).toPrecision(2)));
    });
    this.slider.addEventListener("change", () => this.update({ t: this.tBox.value }));
    this.tBox.addEventListener("change", () => this.update({ t: this.tBox.value.trim() }));
    this.epochs = h("input", { type: "text", id: "epochs", class: "mono", inputmode: "numeric" });
    this.epochs.addEventListener("change", () => this.update({ epochs: this.epochs.value.trim() || null }));
    this.lr = h("input", { type: "text", id: "lr", class: "mono", inputmode: "decimal", placeholder: "1" });
    this.lr.addEventListener("change", () => this.update({ lr: this.lr.value.trim() || null }));
    this.bias = h("input", { type: "checkbox", id: "bias" });
    this.bias.addEventListener("change", () => this.update({ bias: this.bias.checked ? "1" : null }));
    this.shown = new Set(RUNS.map((r) => r.key).filter((k) => k !== "bp_zeros"));
    this.toggles = h("div", { class: "checks-inline", id: "runs-shown" });
    for (const r of RUNS) {
      const box = h("input", { type: "checkbox", "data-run": r.key, checked: this.shown.has(r.key) });
      box.addEventListener("change", () => {
        if (box.checked) this.shown.add(r.key); else this.shown.delete(r.key);
        this.draw();
      });
      this.toggles.append(h("label", {}, box, " ",
        h("span", { style: `color:${r.color}`, text: r.dash ? "┅ " : "━ " }), L(`run_${r.key}`)));
    }
    this.err = h("div", { id: "error" });
    this.status = h("p", { class: "muted small", id: "status-line" });
    this.plot = h("div", { class: "plot", id: "plot" });
    this.stepper = h("div", { id: "stepper" });
    this.grads = h("div", { id: "x4-grads" });
    this.runs = h("tbody");
    this.sentences = h("div", { id: "sentences" });
    // exercise 2 for the t on the page (its t_max), with this page's epochs and learning rate
    this.checkPanel = new CheckPanel({ problem: 2, lang: this.lang, lead: L("check_lead_outlier"), api,
      params: () => {
        // epochs and lr only where the page sets them: else the server's defaults, as the run's
        const p = { ts: this.params.get("t") || "10" };
        for (const k of ["epochs", "lr"]) if (this.params.get(k)) p[k] = this.params.get(k);
        return p;
      } });
    root.append(
      h("h1", { text: L("outlier_title") }),
      h("p", { class: "lead", text: L("outlier_lead") }),
      h("div", { class: "cols" },
        h("div", {},
          h("div", { class: "panel", "data-part": "controls" },
            h("div", { class: "field-row" }, h("b", { class: "num", text: "t" }), this.tBox),
            h("div", { class: "field-row" }, h("span", { class: "muted small", text: "log₁₀ t" }), this.slider),
            h("div", { class: "field-row" }, h("label", { for: "epochs", text: L("epochs") }), this.epochs),
            h("div", { class: "field-row" }, h("label", { for: "lr", text: L("learning_rate") }), this.lr),
            h("label", {}, this.bias, " ", L("neuron_bias"))),
          h("div", { class: "panel", "data-part": "plot" }, h("h2", { text: L("boundaries_shown") }), this.toggles),
          h("div", { class: "panel", "data-part": "pla" }, h("h2", { text: L("pla_steps") }), this.stepper),
          h("div", { class: "panel", "data-part": "runs" }, h("h2", { text: L("x4_gradient") }), this.grads),
          this.checkPanel.el),
        h("div", {},
          this.err, this.status,
          h("div", { "data-part": "plot" }, this.plot),
          h("div", { "data-part": "runs" },
            h("h2", { text: L("runs_table") }),
            h("table", { class: "data small", id: "runs" },
              h("thead", {}, h("tr", {}, h("th", { text: L("run") }), h("th", { text: L("boundary") }),
                h("th", { text: L("run_result") }), h("th", { class: "r", text: L("angle") }))), this.runs)),
          h("div", { "data-part": "verdict" }, this.sentences))));
  }

  get params() { return this.app.params; }

  update(changes) {
    this.app.set({ ...changes, step: null });
    this.refresh();
  }

  show(params) {
    if (!params.has("t")) this.app.set(SHEET);
    this.refresh();
  }

  query() {
    const q = {};
    for (const k of ["t", "epochs", "lr", "bias"]) if (this.params.has(k)) q[k] = this.params.get(k);
    return q;
  }

  syncControls() {
    const tv = this.params.get("t") || "10";
    if (document.activeElement !== this.tBox) this.tBox.value = tv;
    const n = Number(tv);
    if (n > 0 && document.activeElement !== this.slider) this.slider.value = String(Math.log10(n));
    if (document.activeElement !== this.epochs) this.epochs.value = this.params.get("epochs") || "";
    if (document.activeElement !== this.lr) this.lr.value = this.params.get("lr") || "";
    this.bias.checked = this.params.get("bias") === "1";
  }

  async refresh() {
    const seq = ++this.seq;
    this.syncControls();
    const q = this.query();
    this.status.textContent = t("computing_run", this.lang);
    this.status.classList.add("busy");
    for (const el of [this.plot, this.runs, this.sentences]) el.classList.add("stale");
    const [d, v] = await Promise.all([api("outlier", q), api("outlier/view", { ...q, lang: this.lang })]);
    if (seq !== this.seq) return;
    this.status.classList.remove("busy");
    const bad = [d, v].find((r) => !r.ok);
    if (bad) {
      this.status.textContent = "";
      clear(this.err).append(errorBox(bad.data, this.lang));
      return;
    }
    clear(this.err);
    this.d = d.data;
    this.v = v.data;
    if (!this.params.get("epochs")) this.epochs.placeholder = String(this.d.epochs);  // the default
    this.status.textContent = t("outlier_status", this.lang, { t: g3(this.d.ts[0]), epochs: this.d.epochs, lr: g3(this.d.lr) });
    for (const el of [this.plot, this.runs, this.sentences]) el.classList.remove("stale");
    this.draw();
    this.drawRuns();
    this.drawGrads();
    this.drawStepper();
    this.drawSentences();
  }

  /** The current PLA epoch the stepper shows (0: none). */
  step() {
    const k = Number(this.params.get("step"));
    const n = this.v ? this.v.pla_steps.x4.shown.length : 0;
    return Number.isInteger(k) && k >= 1 && k <= n ? k : 0;
  }

  draw() {
    if (!this.d) return;
    const tv = this.d.ts[0];
    const low = tv + 1 <= 8 ? -Math.max(BOX, tv + 1) : -BOX;  // x4 inside the drawing when small
    const W = 560, H = Math.round(560 * (BOX - low) / (2 * BOX) * 0.9), pad = 30;
    const X = (x) => pad + (x + BOX) / (2 * BOX) * (W - 2 * pad);
    const Y = (y) => pad + (BOX - y) / (BOX - low) * (H - 2 * pad);
    const svg = h("svg", { viewBox: `0 0 ${W} ${H}`, id: "outlier-plot", class: "chart" });
    svg.append(h("defs", {}, h("clipPath", { id: "outlier-clip" },
      h("rect", { x: pad, y: pad, width: W - 2 * pad, height: H - 2 * pad }))));
    svg.append(h("rect", { x: pad, y: pad, width: W - 2 * pad, height: H - 2 * pad, fill: "#fff", stroke: "#d0d7de" }));
    svg.append(h("line", { x1: X(-BOX), x2: X(BOX), y1: Y(0), y2: Y(0), stroke: "#c4cad1" }),
      h("line", { x1: X(0), x2: X(0), y1: Y(BOX), y2: Y(low), stroke: "#c4cad1" }),
      h("text", { x: X(BOX) - 4, y: Y(0) - 4, "font-size": 12, "text-anchor": "end", fill: "#5b6475", text: "x1" }),
      h("text", { x: X(0) + 5, y: Y(BOX) + 13, "font-size": 12, fill: "#5b6475", text: "x2" }));
    const lines = h("g", { "clip-path": "url(#outlier-clip)" });
    // a line w·x + b = 0 through the drawing: its point nearest the origin, ± far along it
    const boundary = (w, b, attrs) => {
      const [w1, w2] = w;
      const nn = w1 * w1 + w2 * w2;
      if (!(nn > 0) || !Number.isFinite(nn)) return null;
      const px = -b * w1 / nn, py = -b * w2 / nn, n = Math.sqrt(nn), far = 1e4 + Math.hypot(px, py);
      const dx = -w2 / n * far, dy = w1 / n * far;
      return h("line", { x1: X(px - dx), y1: Y(py - dy), x2: X(px + dx), y2: Y(py + dy), "stroke-width": 2.2, ...attrs });
    };
    for (const r of RUNS) {
      if (!this.shown.has(r.key)) continue;
      const run = r.get(this.d);
      const el = boundary(run.coef, run.intercept, { stroke: r.color, "stroke-dasharray": r.dash ? "6 4" : null, "data-line": r.key });
      if (el) { el.append(h("title", { text: `${t(`run_${r.key}`, this.lang)}: ${run.equation} = 0` })); lines.append(el); }
    }
    const k = this.step();
    const cur = k ? this.v.pla_steps.x4.shown[k - 1] : null;
    if (cur) {
      const el = boundary(cur.coef, cur.intercept, { stroke: "#d4a72c", "stroke-width": 3, "data-line": "pla_step" });
      if (el) lines.append(el);
    }
    svg.append(lines);
    // the samples: + filled, − hollow; x4 in its own colour, draggable while on the drawing
    const points = this.d.X.map((x, i) => ({ x, y: this.d.y[i], name: `x${i + 1}` }));
    points.push({ x: this.d.rows[0].x4, y: 1, name: "x4" });
    points.forEach((p, i) => {
      const visible = p.x[1] >= low && p.x[1] <= BOX;
      const updated = cur && cur.updated.includes(i);
      if (!visible) {  // x4 far below: an arrow to where it is
        const ax = X(p.x[0]), ay = H - pad - 4;
        svg.append(h("polygon", { points: `${ax - 7},${ay - 12} ${ax + 7},${ay - 12} ${ax},${ay}`, fill: "#cf222e", "data-point": p.name }),
          h("text", { x: ax + 10, y: ay - 3, "font-size": 12, fill: "#cf222e", text: `x4 = (0, −${g3(tv)}) ↓` }));
        return;
      }
      const c = h("circle", { cx: X(p.x[0]), cy: Y(p.x[1]), r: updated ? 9 : 7, "data-point": p.name,
        fill: p.y > 0 ? (p.name === "x4" ? "#cf222e" : "#1f6feb") : "#fff",
        stroke: p.name === "x4" ? "#cf222e" : "#1f6feb", "stroke-width": updated ? 4 : 2,
        class: p.name === "x4" ? "x4" : null });
      svg.append(c, h("text", { x: X(p.x[0]) + 10, y: Y(p.x[1]) - 8, "font-size": 12, fill: "#1d2330",
                                text: `${p.name} (${p.y > 0 ? "+1" : "−1"})` }));
      if (p.name === "x4") this.dragX4(svg, c, Y, low);
    });
    const keys = RUNS.filter((r) => this.shown.has(r.key)).map((r) => ({ label: t(`run_${r.key}`, this.lang), color: r.color, dash: r.dash }));
    if (cur) keys.push({ label: t("pla_epoch_line", this.lang, { e: cur.epoch }), color: "#d4a72c" });
    clear(this.plot).append(svg, legend(keys));
  }

  /** Drag x4 up and down its axis: t = −x2 where it is let go. */
  dragX4(svg, c, Y, low) {
    c.addEventListener("pointerdown", (e) => {
      c.setPointerCapture(e.pointerId);
      const rect = svg.getBoundingClientRect();
      const vb = svg.viewBox.baseVal;
      const toY = (clientY) => (clientY - rect.top) * vb.height / rect.height;
      const y0 = Y(0), y1 = Y(-1);
      const move = (ev) => c.setAttribute("cy", String(Math.min(Math.max(toY(ev.clientY), Y(-T_MIN)), Y(low))));
      const up = (ev) => {
        c.removeEventListener("pointermove", move);
        c.removeEventListener("pointerup", up);
        const tv = Math.max(T_MIN, (toY(ev.clientY) - y0) / (y1 - y0));
        this.update({ t: String(Number(tv.toPrecision(2))) });
      };
      c.addEventListener("pointermove", move);
      c.addEventListener("pointerup", up);
    });
  }

  drawRuns() {
    const L = (k, v) => t(k, this.lang, v);
    clear(this.runs);
    for (const r of RUNS) {
      const run = r.get(this.d);
      let result;
      if ("n_updates" in run) {
        result = run.converged ? L("pla_converged", { u: run.n_updates, e: run.epochs })
          : L("pla_not_converged", { u: run.n_updates, e: run.epochs });
      } else {
        const wrong = run.correct.map((ok, i) => (ok ? null : `x${i + 1}`)).filter(Boolean);
        result = wrong.length ? L("misclassifies", { w: wrong.join(", ") }) : L("all_correct");
      }
      this.runs.append(h("tr", { "data-run": r.key },
        h("td", {}, h("span", { style: `color:${r.color}`, text: r.dash ? "┅ " : "━ " }), L(`run_${r.key}`)),
        h("td", { class: "num", text: `${run.equation} = 0` }),
        h("td", { text: result }),
        h("td", { class: "r num", text: run.angle_deg === null || run.angle_deg === undefined ? "—" : `${g3(run.angle_deg)}°` })));
    }
  }

  drawGrads() {
    const L = (k, v) => t(k, this.lang, v);
    const row = this.d.rows[0];
    const tr = (key, run) => h("tr", { "data-grad-run": key }, h("td", { text: L(`run_${key}`) }),
      h("td", { class: "r num", text: sci(run.x4_grad_first) }), h("td", { class: "r num", text: sci(run.x4_grad_max) }),
      h("td", { class: "r num", text: sci(run.x4_grad_last) }));
    clear(this.grads).append(
      h("p", { class: "muted small", text: L("x4_gradient_lead") }),
      h("table", { class: "data small", id: "grads" },
        h("thead", {}, h("tr", {}, h("th", { text: L("run") }), h("th", { class: "r", text: L("grad_first") }),
          h("th", { class: "r", text: L("grad_max") }), h("th", { class: "r", text: L("grad_last") }))),
        h("tbody", {}, tr("bp", row.bp), tr("bp_zeros", row.bp_zeros), tr("ce", row.ce))));
  }

  drawStepper() {
    const L = (k, v) => t(k, this.lang, v);
    const s = this.v.pla_steps.x4;
    const k = this.step();
    const go = (i) => { this.app.set({ step: i >= 1 ? i : null }); this.draw(); this.drawStepper(); };
    const cur = k ? s.shown[k - 1] : null;
    const names = cur ? cur.updated.map((i) => `x${i + 1}`).join(", ") : "";
    const parts = [
      h("p", { class: "muted small", text: L(s.converged ? "pla_steps_lead" : "pla_steps_lead_cap",
        { e: s.epochs, u: s.updates, n: s.shown.length }) }),
      h("div", { class: "stepper" },
        h("button", { type: "button", class: "small", id: "pla-prev", text: L("prev"), disabled: k <= 0, onclick: () => go(k - 1) }),
        h("button", { type: "button", class: "small", id: "pla-next", text: L("next"), disabled: k >= s.shown.length, onclick: () => go(k + 1) }),
        h("span", { class: "muted small", id: "pla-at", text: cur ? L("pla_epoch_of", { e: cur.epoch, n: s.epochs }) : L("pla_before") })),
    ];
    if (cur) {
      parts.push(h("p", { class: "num small", id: "pla-now" },
        `w = (${cur.coef.map(sci).join(", ")}), b = ${sci(cur.intercept)} · `,
        names ? L("pla_updated", { names }) : L("pla_no_update")));
    }
    clear(this.stepper).append(...parts);
  }

  drawSentences() {
    const L = (k) => t(k, this.lang);
    const list = (items, id) => h("ul", { class: "sentences", id }, items.map((s) => h("li", { text: s })));
    clear(this.sentences).append(
      ...(this.v.warnings.length ? [h("div", { class: "error", id: "warnings" }, this.v.warnings.join("\n"))] : []),
      h("h2", { text: L("what_happens") }), list(this.v.verdict, "verdict"),
      h("h2", { text: L("on_D") }), list(this.v.summary, "summary-lines"));
  }
}
