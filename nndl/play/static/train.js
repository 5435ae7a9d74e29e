// #/train?model=mlp&epochs=20[&optimizer=adam&lr=0.001&seed=1] — a training run live: the
// server trains nndl's own network on scikit-learn's 8×8 digits (nndl train digits) and
// streams its progress (Server-Sent Events); the loss and accuracy curves grow as the epochs
// come, then the held-out split's confusion matrix and the misclassified images. The server
// bounds the run (epochs, seconds, one at a time) and stops it when the page closes the stream.

import { api, encodeParams, withLang } from "./api.js";
import { errorBox } from "./common.js";
import { clear, h, rich } from "./dom.js";
import { COLORS, frame, legend, line } from "./plot.js";
import { t } from "./i18n.js";

const SHEET = { model: "mlp", epochs: "20" };
const pct = (v) => `${(100 * v).toFixed(2)} %`;

export class TrainView {
  static PARTS = ["controls", "plot", "confusion", "mistakes"];

  constructor(root, app) {
    this.app = app;
    this.lang = app.lang;
    this.source = null;
    const L = (k, v) => t(k, this.lang, v);
    // an option shows its name as a Chinese reader writes it; its value is the command's
    const NAMES = { mlp: "MLP（多层感知机）", lenet: "LeNet", sgd: "SGD", adam: "Adam" };
    const select = (id, key, options) => {
      const el = h("select", { id }, options.map((o) => h("option", { value: o,
        text: this.lang === "zh" ? NAMES[o] || o : o })));
      el.addEventListener("change", () => this.app.set({ [key]: el.value }));
      return el;
    };
    const text = (id, key, placeholder) => {
      const el = h("input", { type: "text", id, class: "mono", autocomplete: "off", placeholder });
      el.addEventListener("change", () => this.app.set({ [key]: el.value.trim() || null }));
      return el;
    };
    this.model = select("model", "model", ["mlp", "lenet"]);
    this.optimizer = select("optimizer", "optimizer", ["sgd", "adam"]);
    this.epochs = text("epochs", "epochs", "20");
    this.lr = text("lr", "lr", L("lr_default"));
    this.seed = text("seed", "seed", "0");
    this.start = h("button", { type: "button", class: "primary", id: "train-start", text: L("train_start"), onclick: () => this.run() });
    this.stop = h("button", { type: "button", class: "small", id: "train-stop", text: L("train_stop"), disabled: true,
      onclick: () => this.halt(t("train_stopped", this.lang)) });
    this.err = h("div", { id: "error" });
    this.progress = h("div", { class: "progress", id: "progress" });
    this.cmd = h("div", { class: "cmd", id: "command" });
    this.charts = h("div", { class: "charts", id: "curves" });
    this.confusion = h("div", { id: "confusion" });
    this.mistakes = h("div", { id: "mistakes" });
    root.append(
      h("h1", { text: L("train_title") }),
      h("p", { class: "lead" }, rich(L("train_lead"))),
      h("div", { class: "cols" },
        h("div", {},
          h("div", { class: "panel", "data-part": "controls" },
            h("div", { class: "field-row" }, h("label", { for: "model", text: L("model") }), this.model),
            h("div", { class: "field-row" }, h("label", { for: "optimizer", text: L("optimizer") }), this.optimizer),
            h("div", { class: "field-row" }, h("label", { for: "epochs", text: L("epochs") }), this.epochs),
            h("div", { class: "field-row" }, h("label", { for: "lr", text: L("learning_rate") }), this.lr),
            h("div", { class: "field-row" }, h("label", { for: "seed", text: L("seed") }), this.seed),
            h("div", { class: "row", style: "margin-top:.5rem" }, this.start, this.stop),
            h("p", { class: "muted small", text: L("train_bounds") }))),
        h("div", {}, this.err, this.progress, this.cmd,
          h("div", { "data-part": "plot" }, this.charts),
          h("div", { class: "charts" },
            h("div", { "data-part": "confusion" }, h("h2", { text: L("confusion_title") }), this.confusion),
            h("div", { "data-part": "mistakes" }, h("h2", { text: L("mistakes_title") }), this.mistakes)))));
  }

  get params() { return this.app.params; }

  show(params) {
    if (!params.has("model")) this.app.set(SHEET);
    this.model.value = this.params.get("model") || "mlp";
    this.optimizer.value = this.params.get("optimizer") || "sgd";
    this.epochs.value = this.params.get("epochs") || "";
    this.lr.value = this.params.get("lr") || "";
    this.seed.value = this.params.get("seed") || "";
    if (!this.epochsSeen) {
      this.total = Math.min(Math.max(Number(this.params.get("epochs")) || 20, 1), 100);
      this.drawCurves([], null);
    }
  }

  query() {
    const q = new Map();
    for (const k of ["model", "optimizer", "epochs", "lr", "seed"]) if (this.params.get(k)) q.set(k, this.params.get(k));
    q.set("lang", this.lang);
    return q;
  }

  /** Start a run: an EventSource on /api/train (its answers arrive as named events). */
  async run() {
    this.halt(null);
    // the parameters read as the server reads them first: a refusal is shown with its hint
    const r = await api("train/check", this.query());
    if (!r.ok) { clear(this.err).append(errorBox(r.data, this.lang)); return; }
    clear(this.err); clear(this.confusion); clear(this.mistakes);
    this.epochsSeen = [];
    this.total = Number(this.params.get("epochs")) || 20;
    this.start.disabled = true;
    this.stop.disabled = false;
    this.progress.textContent = t("train_connecting", this.lang);
    const src = new EventSource(`/api/train?${encodeParams(withLang(this.query()))}`);
    this.source = src;
    const data = (e) => JSON.parse(e.data);
    src.addEventListener("start", (e) => {
      const d = data(e);
      this.total = d.epochs;
      this.cmd.textContent = `$ ${d.command}`;
      this.drawCurves(this.epochsSeen, null);
    });
    src.addEventListener("batch", (e) => this.showProgress(data(e)));
    src.addEventListener("epoch", (e) => {
      const d = data(e);
      this.epochsSeen.push(d);
      this.showProgress({ ...d, batch: 1, batches: 1, loss: d.train_loss, accuracy: d.train_accuracy });
      this.drawCurves(this.epochsSeen, null);
    });
    src.addEventListener("done", (e) => {
      const d = data(e);
      this.finish();
      const last = d.history.history[d.history.history.length - 1];
      this.progress.textContent = t("train_done", this.lang, { acc: pct(last.test_accuracy), s: d.history.seconds.toFixed(1), e: d.history.epochs });
      this.drawCurves(this.epochsSeen, d.history.history);
      this.drawConfusion(d.confusion);
      this.drawMistakes(d);
    });
    src.addEventListener("failed", (e) => { this.finish(); clear(this.err).append(errorBox(data(e), this.lang)); });
    src.onerror = () => {  // a refused request (busy, a bad value) or the server gone
      if (this.source !== src) return;
      this.finish();
      clear(this.err).append(errorBox({ error: t("train_refused", this.lang), hint: null }, this.lang));
    };
  }

  finish() {
    if (this.source) this.source.close();
    this.source = null;
    this.start.disabled = false;
    this.stop.disabled = true;
  }

  /** The stop button (or leaving the view): closing the stream stops the server's run. */
  halt(message) {
    if (!this.source) return;
    this.finish();
    if (message) this.progress.textContent = message;
  }

  destroy() { this.halt(null); }

  showProgress(d) {
    const done = (d.epoch - 1 + d.batch / d.batches) / d.epochs;
    clear(this.progress).append(
      t("train_progress", this.lang, { e: d.epoch, n: d.epochs, loss: d.loss.toFixed(4), acc: pct(d.accuracy) }),
      h("div", { class: "bar" }, h("i", { style: `width:${(100 * done).toFixed(1)}%` })));
  }

  drawCurves(live, history) {
    const L = (k) => t(k, this.lang);
    const n = Math.max(this.total || 20, 2);
    const train = (key) => live.map((e) => [e.epoch, e[key]]);
    const test = (key) => (history || []).map((e) => [e.epoch, e[key]]);
    const losses = [...live.map((e) => e.train_loss), ...(history || []).map((e) => e.test_loss)];
    const top = Math.max(0.5, ...losses) * 1.05;
    const lf = frame({ W: 460, H: 260, x0: 1, x1: n, y0: 0, y1: Number(top.toPrecision(2)), id: "loss-chart", xint: true,
      xlabel: L("epoch"), title: L("loss") });
    lf.plot.append(line(lf, train("train_loss"), { stroke: COLORS[0], dots: true, "data-curve": "train_loss" }));
    if (history) lf.plot.append(line(lf, test("test_loss"), { stroke: COLORS[1], dots: true, "data-curve": "test_loss" }));
    const af = frame({ W: 460, H: 260, x0: 1, x1: n, y0: 0, y1: 1, id: "acc-chart", xint: true, xlabel: L("epoch"), title: L("accuracy") });
    af.plot.append(line(af, train("train_accuracy"), { stroke: COLORS[0], dots: true, "data-curve": "train_accuracy" }));
    if (history) af.plot.append(line(af, test("test_accuracy"), { stroke: COLORS[1], dots: true, "data-curve": "test_accuracy" }));
    const keys = [{ label: L("train_split"), color: COLORS[0] }, { label: L("test_split"), color: COLORS[1] }];
    clear(this.charts).append(h("div", {}, lf.svg), h("div", {}, af.svg), h("div", { style: "grid-column:1/-1" }, legend(keys)));
  }

  drawConfusion(m) {
    const L = (k) => t(k, this.lang);
    const head = h("tr", {}, h("th", { text: L("true_predicted") }), m.map((_, j) => h("th", { class: "r", text: String(j) })));
    const max = Math.max(...m.flat());
    const rows = m.map((row, i) => h("tr", {}, h("th", { text: String(i) }), row.map((v, j) => h("td", {
      class: i === j ? "diag num" : "num", "data-cell": `${i},${j}`, text: String(v),
      style: v ? `background: rgba(${i === j ? "31,111,235" : "207,34,46"}, ${(0.1 + 0.6 * v / max).toFixed(2)})` : null }))));
    clear(this.confusion).append(h("table", { class: "data confusion", id: "confusion-matrix" }, h("thead", {}, head), h("tbody", {}, rows)));
  }

  drawMistakes(d) {
    const wrap = h("div", { class: "digits" });
    for (const m of d.misclassified) {
      const svg = h("svg", { viewBox: "0 0 8 8", "shape-rendering": "crispEdges" });
      m.pixels.forEach((row, y) => row.forEach((v, x) => {
        const c = Math.round(255 * (1 - v));
        svg.append(h("rect", { x, y, width: 1, height: 1, fill: `rgb(${c},${c},${c})` }));
      }));
      wrap.append(h("figure", { "data-index": m.index }, svg,
        h("figcaption", { class: "num", text: t("digit_caption", this.lang, { label: m.label, pred: m.predicted, p: pct(m.confidence) }) })));
    }
    clear(this.mistakes).append(
      h("p", { class: "muted small", text: t("mistakes_lead", this.lang, { n: d.misclassified_total, shown: d.misclassified.length }) }), wrap);
  }
}
