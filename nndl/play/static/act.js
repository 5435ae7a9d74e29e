// #/act?names=sigmoid,tanh,relu — exercise 1 live: f and f′ as nndl samples them, the
// saturation nndl measured shaded, the measured properties (the rows of `nndl act`), the
// chain factor over depth, the derivation and the pros and cons.

import { api } from "./api.js";
import { checkReport, errorBox } from "./common.js";
import { clear, h, rich } from "./dom.js";
import { pick, t } from "./i18n.js";

const SHEET = "sigmoid,tanh,relu";
const COLORS = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2",
                "#7f7f7f", "#bcbd22", "#17becf"];

// nndl writes an unbounded end as "-inf" or "inf" (JSON has no infinity)
const bound = (v) => (v === "-inf" ? -Infinity : v === "inf" ? Infinity : Number(v));

export class ActView {
  static PARTS = ["plot", "derivation", "properties", "check"];

  constructor(root, app) {
    this.app = app;
    this.lang = app.lang;
    this.seq = 0;
    const L = (k) => t(k, this.lang);
    this.choices = h("div", { class: "acts", id: "choices" });
    this.err = h("div", { id: "error" });
    this.plot = h("div", { class: "plot", id: "plot" });
    this.details = h("div", { id: "details", class: "cards" });
    this.answers = h("div", { class: "answers-grid", id: "answers" });
    this.checkOut = h("div", { id: "check-result" });
    this.checkButton = h("button", { type: "button", class: "primary", id: "check-button",
      text: L("check_button"), onclick: () => this.check() });
    root.append(
      h("h1", { text: L("act_title") }),
      h("p", { class: "lead", text: L("act_lead") }),
      h("div", { class: "panel" }, this.choices),
      this.err,
      h("div", { class: "panel", "data-part": "plot" }, this.plot), h("div", { style: "height:.8rem" }), this.details,
      h("div", { class: "panel", id: "check", "data-part": "check", style: "margin-top:.8rem" },
        h("h2", { text: L("check_title") }),
        h("p", { class: "muted small" }, rich(L("check_lead_act"))),
        this.answers, h("p", {}, this.checkButton), this.checkOut));
    this.loadNames();
  }

  get params() { return this.app.params; }

  names() {
    return (this.params.get("names") || SHEET).split(/[,\s]+/).filter(Boolean);
  }

  async loadNames() {
    const r = await api("act/curves", { names: "all", points: "2" });
    if (!r.ok) return;
    this.all = r.data.curves.map((c) => ({ name: c.name, title: pick(c.label, this.lang) || c.title }));
    this.drawChoices();
    this.answerKeys = null;   // the answers' labels name the functions as the reader does
    this.drawAnswers();
  }

  drawChoices() {
    if (!this.all) return;
    const chosen = new Set(this.names());
    clear(this.choices);
    for (const a of this.all) {
      const box = h("input", { type: "checkbox", "data-name": a.name, checked: chosen.has(a.name) });
      box.addEventListener("change", () => {
        const names = [...this.choices.querySelectorAll("input:checked")].map((b) => b.dataset.name);
        this.app.set({ names: names.join(",") || null });
        this.drawAnswers();
        this.refresh();
      });
      this.choices.append(h("label", {}, box, " ", a.title));
    }
  }

  show() {
    if (!this.params.has("names")) this.app.set({ names: SHEET });
    this.drawChoices();
    this.drawAnswers();
    this.refresh();
  }

  /** Exercise 1's answer keys for the chosen functions (nndl check 1). */
  drawAnswers() {
    const names = this.names();
    const keys = names.flatMap((n) => [`${n}_derivative`, `${n}_max_slope`]);
    if (this.answerKeys === keys.join(",")) return;
    this.answerKeys = keys.join(",");
    const old = this.answerInputs || {};
    this.answerInputs = {};
    this.answerLabels = {};
    clear(this.answers);
    clear(this.checkOut);
    const title = (n) => ((this.all || []).find((a) => a.name === n) || { title: n }).title;
    for (const key of keys) {
      const input = h("input", { type: "text", class: "mono", "data-answer": key, autocomplete: "off",
        placeholder: t("your_answer", this.lang), value: old[key] ? old[key].value : "" });
      this.answerInputs[key] = input;
      // the key (what nndl check takes) on hover; the label in the reader's language
      const [name, what] = key.endsWith("_max_slope") ? [key.slice(0, -10), "ans_max_slope"]
        : [key.slice(0, -11), "ans_derivative"];
      this.answerLabels[key] = t(what, this.lang, { name: title(name) });
      this.answers.append(h("span", { text: this.answerLabels[key], title: key }), input);
    }
  }

  async check() {
    const answers = {};
    for (const [key, input] of Object.entries(this.answerInputs || {})) {
      if (input.value.trim()) answers[key] = input.value.trim();
    }
    if (!Object.keys(answers).length) {
      clear(this.checkOut).append(h("p", { class: "muted", text: t("check_empty", this.lang) }));
      return;
    }
    this.checkButton.disabled = true;
    this.checkButton.classList.add("busy");
    const r = await api("check", { problem: "1", names: this.names().join(","), ...answers, lang: this.lang });
    this.checkButton.disabled = false;
    this.checkButton.classList.remove("busy");
    clear(this.checkOut).append(r.ok ? checkReport(r.data, this.lang, this.answerLabels) : errorBox(r.data, this.lang));
  }

  async refresh() {
    const seq = ++this.seq;
    const names = this.names().join(",");
    const [curves, data, table] = await Promise.all([
      api("act/curves", { names, points: "321" }), api("act", { names }),
      api("act/table", { names, lang: this.lang })]);
    if (seq !== this.seq) return;
    const bad = [curves, data, table].find((r) => !r.ok);
    if (bad) {
      clear(this.err).append(errorBox(bad.data, this.lang));
      return;
    }
    clear(this.err);
    this.drawPlot(curves.data, data.data);
    this.drawDetails(data.data, table.data);
  }

  drawPlot(curves, data) {
    const W = 560, H = 230, M = { l: 44, r: 12, t: 18, b: 26 };
    const sat = Object.fromEntries(data.activations.map((a) => [a.name, a.properties.saturation]));
    const panel = (key, label, top) => {
      const ys = curves.curves.flatMap((c) => c[key]).filter((v) => v !== null);
      let lo = Math.min(0, ...ys), hi = Math.max(0, ...ys);
      if (hi - lo < 1e-9) { lo -= 1; hi += 1; }
      const pad = (hi - lo) * 0.06;
      lo -= pad; hi += pad;
      const x0 = curves.x[0], x1 = curves.x[curves.x.length - 1];
      const X = (x) => M.l + (x - x0) / (x1 - x0) * (W - M.l - M.r);
      const Y = (y) => top + M.t + (hi - y) / (hi - lo) * (H - M.t - M.b);
      const g = h("g", { "data-panel": key });
      g.append(h("rect", { x: M.l, y: top + M.t, width: W - M.l - M.r, height: H - M.t - M.b,
                           fill: "#fff", stroke: "#d0d7de" }));
      if (key === "df") {  // saturation as nndl measured it: a strip per function, so that
        // two functions' regions never overlap into one muddy colour
        const band = (H - M.t - M.b) / curves.curves.length;
        curves.curves.forEach((c, i) => {
          for (const s of sat[c.name] || []) {
            const a = Math.max(bound(s.lo), x0), b = Math.min(bound(s.hi), x1);
            if (b > a) g.append(h("rect", { class: "sat", x: X(a), y: top + M.t + i * band, width: X(b) - X(a),
              height: band, fill: COLORS[i % COLORS.length], opacity: 0.16, "data-sat": c.name }));
          }
        });
      }
      g.append(h("line", { x1: M.l, x2: W - M.r, y1: Y(0), y2: Y(0), stroke: "#8c959f", "stroke-width": 0.8 }));
      if (x0 < 0 && x1 > 0) g.append(h("line", { x1: X(0), x2: X(0), y1: top + M.t, y2: top + H - M.b, stroke: "#8c959f", "stroke-width": 0.8 }));
      for (const v of [lo + pad, hi - pad]) {
        g.append(h("text", { x: M.l - 4, y: Y(v) + 4, "font-size": 11, "text-anchor": "end", fill: "#5b6475", text: Number(v.toPrecision(3)).toString() }));
      }
      for (const v of [x0, 0, x1]) {
        g.append(h("text", { x: X(v), y: top + H - M.b + 14, "font-size": 11, "text-anchor": "middle", fill: "#5b6475", text: String(v) }));
      }
      g.append(h("text", { x: M.l + 6, y: top + M.t + 14, "font-size": 13, "font-weight": "bold", fill: "#1d2330", text: label }));
      curves.curves.forEach((c, i) => {
        const pts = [];
        c[key].forEach((y, j) => { if (y !== null && y >= lo && y <= hi) pts.push(`${X(curves.x[j]).toFixed(1)},${Y(y).toFixed(1)}`); });
        g.append(h("polyline", { points: pts.join(" "), fill: "none", stroke: COLORS[i % COLORS.length],
                                 "stroke-width": 2, "data-curve": c.name }));
      });
      return g;
    };
    const legend = h("g", {});
    curves.curves.forEach((c, i) => {
      // four to a row: long names (GELU（tanh 近似）) never run into the next one
      const x = M.l + (i % 4) * 128, y = 2 * H + 16 + Math.floor(i / 4) * 18;
      legend.append(h("line", { x1: x, x2: x + 18, y1: y, y2: y, stroke: COLORS[i % COLORS.length], "stroke-width": 3 }),
        h("text", { x: x + 22, y: y + 4, "font-size": 12, fill: "#1d2330", text: pick(c.label, this.lang) || c.title }));
    });
    const rows = Math.ceil(curves.curves.length / 4);
    const svg = h("svg", { viewBox: `0 0 ${W} ${2 * H + 12 + 18 * rows}`, id: "act-plot", role: "img",
      "aria-label": t("act_plot_label", this.lang, { names: curves.curves.map((c) => pick(c.label, this.lang) || c.title).join(this.lang === "zh" ? "、" : ", ") }) },
      panel("f", "f(x)", 0), panel("df", "f′(x)", H), legend);
    clear(this.plot).append(svg);
  }

  drawDetails(data, table) {
    const L = (k, v) => t(k, this.lang, v);
    clear(this.details);
    data.activations.forEach((a, i) => {
      const rows = table.activations[i].rows;
      const p = a.properties;
      const depths = Object.keys(p.chain_bound || {});
      const d = a.derivation;
      const label = pick((table.activations[i] || {}).label, this.lang) || a.title;
      this.details.append(h("div", { class: "panel", "data-act": a.name },
        h("h2", {}, h("span", { style: `color:${COLORS[i % COLORS.length]}`, text: "■ " }), label,
          h("span", { class: "muted small", text: `  ${a.torch}` })),
        h("p", { class: "num", "data-part": "derivation" }, `f′(x) = ${pick(d.derivative_text, this.lang) || d.derivative_plain}`),
        h("table", { class: "data small", "data-part": "properties" }, h("tbody", {},
          rows.map(([k, v]) => h("tr", {}, h("td", { text: k }), h("td", { class: "num", text: v }))))),
        depths.length ? h("table", { class: "data small chain" },
          h("thead", {}, h("tr", {}, h("th", { text: L("chain_factor") }),
            depths.map((n) => h("th", { class: "r", text: L("chain_depth", { n }) })))),
          h("tbody", {}, h("tr", {}, h("td", { class: "num", text: String(p.chain_factor) }),
            depths.map((n) => h("td", { class: "r num", text: String(Number(Number(p.chain_bound[n]).toPrecision(3))) }))))) : null,
        h("details", { "data-part": "derivation" }, h("summary", { text: L("derivation") }),
          h("ol", { class: "steps" }, d.steps.map((s) => h("li", {},
            h("span", { class: "muted", text: pick(s.title, this.lang) + (this.lang === "zh" ? "：" : ": ") }),
            (this.lang === "zh" && s.plain_zh) || s.plain,
            s.note ? h("div", { class: "muted small", text: pick(s.note, this.lang) }) : null)))),
        h("div", { class: "small muted", text: L("pros") }),
        h("ul", { class: "pc pros" }, a.pros.map((x) => h("li", { text: pick(x.text, this.lang) }))),
        h("div", { class: "small muted", text: L("cons") }),
        h("ul", { class: "pc cons" }, a.cons.map((x) => h("li", { text: pick(x.text, this.lang) })))));
    });
  }
}
