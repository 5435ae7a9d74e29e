// #/graph?expr=(x%2By)%5E2*z&x=1&y=2&z=-6[&node=p][&step=3] — exercise 4 live: the drawing
// nndl graph makes, a slider and a number box per variable, each node's chain-rule step, the
// backward pass one step at a time, and a "check my answer" box (nndl check graph).

import { api } from "./api.js";
import { checkReport, errorBox } from "./common.js";
import { clear, h, svgFrom } from "./dom.js";
import { t } from "./i18n.js";

const SHEET = { expr: "(x+y)^2*z", x: "1", y: "2", z: "-6" };  // the sheet's instance
const OWN = new Set(["expr", "lang", "node", "step", "hide"]);          // hash keys that are not variables

export class GraphView {
  static PARTS = ["result", "drawing", "table", "chain", "steps", "check"];

  constructor(root, app) {
    this.app = app;
    this.lang = app.lang;
    this.seq = 0;
    this.names = null;       // variables of namesFor
    this.namesFor = null;
    this.g = null;           // nndl graph --format json
    this.d = null;           // the drawing and the numbers as nndl writes them
    const L = (k, v) => t(k, this.lang, v);
    this.expr = h("input", { type: "text", id: "expr", class: "mono", spellcheck: "false",
      autocomplete: "off", "aria-label": L("expression") });
    this.expr.addEventListener("input", () => {
      this.app.set({ expr: this.expr.value, node: null, step: null });
      this.refresh();
    });
    this.vars = h("div", { id: "vars" });
    this.result = h("div", { id: "result", class: "result" });
    this.chain = h("div", { id: "chain" }, h("p", { class: "muted small", text: L("click_node") }));
    this.answers = h("div", { class: "answers-grid", id: "answers" });
    this.checkOut = h("div", { id: "check-result" });
    this.err = h("div", { id: "error" });
    this.drawing = h("div", { class: "drawing", id: "drawing" });
    this.table = h("tbody");
    this.stepper = h("div", { id: "stepper" });
    root.append(
      h("h1", { text: L("graph_title") }),
      h("p", { class: "lead", text: L("graph_lead") }),
      h("div", { class: "cols" },
        h("div", {},
          h("div", { class: "panel" },
            h("label", { class: "field", for: "expr", text: L("expression") }), this.expr,
            h("label", { class: "field", text: L("variables") }), this.vars,
            this.result),
          h("div", { class: "panel" }, h("h2", { text: L("chain_rule") }), this.chain),
          h("div", { class: "panel", id: "check" },
            h("h2", { text: L("check_title") }),
            h("p", { class: "muted small", text: L("check_lead_graph") }),
            this.answers,
            h("p", {}, h("button", { type: "button", class: "primary", id: "check-button",
              text: L("check_button"), onclick: () => this.check() })),
            this.checkOut)),
        h("div", {},
          this.err, this.drawing,
          h("h2", { text: L("nodes") }),
          h("table", { class: "data", id: "nodes" },
            h("thead", {}, h("tr", {},
              h("th", { text: L("node") }), h("th", { text: L("formula") }),
              h("th", { class: "r value", text: L("value") }), h("th", { class: "r grad", text: L("grad") }))),
            this.table),
          h("h2", { text: L("backward_pass") }), this.stepper)));
    // the parts &hide= can leave out (a teacher's link: the problem without its answer)
    this.result.dataset.part = "result";
    this.drawing.dataset.part = "drawing";
    this.chain.parentElement.dataset.part = "chain";
    root.querySelector("#check").dataset.part = "check";
    for (const el of [this.table.parentElement, this.table.parentElement.previousElementSibling]) el.dataset.part = "table";
    for (const el of [this.stepper, this.stepper.previousElementSibling]) el.dataset.part = "steps";
  }

  get params() { return this.app.params; }

  show(params) {
    if (!params.has("expr")) {  // a bare #/graph opens on the sheet's exercise
      this.app.set(SHEET);
    }
    if (document.activeElement !== this.expr) this.expr.value = this.params.get("expr");
    this.refresh();
  }

  values() {
    const out = {};
    for (const name of this.names || []) out[name] = this.params.get(name) ?? "1";
    return out;
  }

  async refresh() {
    const seq = ++this.seq;
    const expr = this.params.get("expr") || "";
    if (expr !== this.namesFor) {
      const r = await api("graph/variables", { expr });
      if (seq !== this.seq) return;
      if (!r.ok) return this.fail(r.data);
      this.names = r.data.variables;
      this.namesFor = expr;
      const keep = new Map([...this.params].filter(([k]) => OWN.has(k)));
      for (const name of this.names) keep.set(name, this.params.get(name) ?? "1");
      this.app.replace(keep);
      this.buildVariables();
    }
    this.syncVariables();
    const q = { expr, ...this.values() };
    const [g, d] = await Promise.all([api("graph", q), api("graph/drawing", { ...q, lang: this.lang })]);
    if (seq !== this.seq) return;
    if (!g.ok) return this.fail(g.data);
    if (!d.ok) return this.fail(d.data);
    this.g = g.data;
    this.d = d.data;
    clear(this.err);
    this.expr.classList.remove("bad");
    for (const el of [this.drawing, this.result, this.table]) el.classList.remove("stale");
    this.render();
  }

  fail(data) {
    clear(this.err).append(errorBox(data, this.lang));
    this.expr.classList.add("bad");
    for (const el of [this.drawing, this.result, this.table]) el.classList.add("stale");
  }

  buildVariables() {
    clear(this.vars);
    clear(this.answers);
    this.answerInputs = {};
    const answerRow = (key) => {
      const input = h("input", { type: "text", class: "mono", "data-answer": key, autocomplete: "off",
        placeholder: t("your_answer", this.lang) });
      this.answerInputs[key] = input;
      // the label as the page writes a gradient (∂f/∂x); nndl check's key (df/dx) on hover
      const label = key.startsWith("df/d") ? `∂f/∂${key.slice(4)}` : key;
      this.answers.append(h("span", { text: label, title: key }), input);
    };
    answerRow("f");
    for (const name of this.names) {
      const box = h("input", { type: "text", class: "mono", "data-var": name, inputmode: "decimal",
        autocomplete: "off", "aria-label": name });
      const slider = h("input", { type: "range", "data-slider": name, step: "0.1", "aria-label": name });
      box.addEventListener("input", () => {
        this.app.set({ [name]: box.value, step: null });
        this.fitSlider(slider, box.value);
        this.refresh();
      });
      slider.addEventListener("input", () => {
        box.value = slider.value;
        this.app.set({ [name]: slider.value, step: null });
        this.refresh();
      });
      this.vars.append(h("div", { class: "var" }, h("b", { text: name }), box, slider));
      answerRow(`df/d${name}`);
    }
  }

  fitSlider(slider, text) {
    const v = Number(text);
    if (text === "" || !Number.isFinite(v)) return;
    const lo = Math.min(-10, Math.floor(v)), hi = Math.max(10, Math.ceil(v));
    slider.min = String(lo);
    slider.max = String(hi);
    slider.value = String(v);
  }

  syncVariables() {
    for (const box of this.vars.querySelectorAll("input[data-var]")) {
      const name = box.dataset.var;
      const value = this.params.get(name) ?? "1";
      if (document.activeElement !== box) box.value = value;
      const slider = this.vars.querySelector(`input[data-slider="${CSS.escape(name)}"]`);
      if (document.activeElement !== slider) this.fitSlider(slider, value);
    }
  }

  render() {
    const { g, d } = this;
    const out = g.nodes[g.nodes.length - 1]?.id ?? "f";
    clear(this.result).append(
      h("div", {}, `${out} = `, h("b", { class: "num value", id: "output", text: d.output })),
      ...Object.keys(g.values).map((name) => h("div", {},
        `∂${out}/∂${name} = `,
        h("b", { class: "num grad", "data-grad": name, text: d.display[name].grad }))));
    // the drawing, with a transparent shape over each node to click
    const svg = svgFrom(d.svg);
    const hits = h("g", { class: "hits" });
    for (const n of d.nodes) {
      const attrs = { class: "hit", "data-node": n.id, onclick: () => this.select(n.id) };
      hits.append(n.shape === "circle"
        ? h("circle", { ...attrs, cx: n.x, cy: n.y, r: n.w / 2 + 3 })
        : h("rect", { ...attrs, x: n.x - n.w / 2 - 3, y: n.y - n.h / 2 - 3, width: n.w + 6,
                      height: n.h + 6, rx: 8 }));
    }
    svg.append(hits);
    // as drawn, up to a third larger where there is room (never blown up to the column)
    const width = Number(svg.getAttribute("width")) || 600;
    svg.style.width = `${Math.round(width * 1.3)}px`;
    clear(this.drawing).append(svg);
    // the table of nodes
    clear(this.table);
    for (const n of g.nodes) {
      this.table.append(h("tr", { class: "click", "data-node": n.id, onclick: () => this.select(n.id) },
        h("td", { class: "num", text: n.id }),
        h("td", { class: "num", text: n.formula || "—" }),
        h("td", { class: "r num value", text: d.display[n.id].value }),
        h("td", { class: "r num grad", text: d.display[n.id].grad })));
    }
    this.highlight();
    this.renderChain();
    this.renderStepper();
  }

  select(id) {
    this.app.set({ node: id });
    this.highlight();
    this.renderChain();
  }

  highlight() {
    const node = this.params.get("node");
    const step = this.currentStep();
    for (const el of this.drawing.querySelectorAll(".hit")) {
      el.classList.toggle("sel", el.dataset.node === (step ? step.node : node));
      el.classList.toggle("src", !!step && el.dataset.node === step.source);
    }
    for (const tr of this.table.querySelectorAll("tr")) {
      tr.classList.toggle("sel", tr.dataset.node === node);
    }
  }

  renderChain() {
    const id = this.params.get("node");
    const g = this.g;
    const L = (k, v) => t(k, this.lang, v);
    if (!g || !id || !g.nodes.some((n) => n.id === id)) {
      clear(this.chain).append(h("p", { class: "muted small", text: L("click_node") }));
      return;
    }
    const fwd = g.forward.find((s) => s.node === id);
    const back = g.steps.filter((s) => s.node === id);
    const items = [];
    for (const s of back) {
      items.push(h("li", { text: s.text }));
      if (s.local_text && s.local_text !== s.text) items.push(h("li", { class: "muted", text: `  ${s.local_text}` }));
      if (s.note) items.push(h("li", { class: "muted", text: `  ${s.note}` }));
    }
    clear(this.chain).append(
      h("p", {}, h("b", { class: "num", text: id }), ` · ${L("value")} `,
        h("span", { class: "num value", text: this.d.display[id].value }), ` · ${L("grad")} `,
        h("span", { class: "num grad", text: this.d.display[id].grad })),
      h("div", { class: "small muted", text: L("forward_step") }),
      h("ul", { class: "steps", id: "forward-step" }, h("li", { text: fwd ? fwd.text : L("input_node") })),
      h("div", { class: "small muted", text: L("backward_steps") }),
      h("ul", { class: "steps", id: "backward-steps" }, items));
  }

  currentStep() {
    const k = Number(this.params.get("step"));
    const steps = this.g ? this.g.steps : [];
    return Number.isInteger(k) && k >= 1 && k <= steps.length ? steps[k - 1] : null;
  }

  renderStepper() {
    const steps = this.g.steps;
    const k = this.currentStep() ? Number(this.params.get("step")) : 0;
    const go = (i) => {
      this.app.set({ step: i >= 1 ? i : null });
      this.highlight();
      this.renderStepper();
    };
    const list = h("ol", { class: "steps" });
    steps.forEach((s, i) => list.append(h("li", { class: i + 1 === k ? "now" : null, text: s.text })));
    clear(this.stepper).append(
      h("div", { class: "stepper" },
        h("button", { type: "button", class: "small", id: "step-prev", text: t("prev", this.lang),
          disabled: k <= 0, onclick: () => go(k - 1) }),
        h("button", { type: "button", class: "small", id: "step-next", text: t("next", this.lang),
          disabled: k >= steps.length, onclick: () => go(k + 1) }),
        h("span", { class: "muted small", text: t("step_of", this.lang, { i: k, n: steps.length }) })),
      list);
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
    const at = Object.entries(this.values()).map(([k, v]) => `${k}=${v}`).join(",");
    const r = await api("check", { problem: "graph", expr: this.params.get("expr"), at, ...answers,
                                   lang: this.lang });
    const labels = Object.fromEntries(Object.keys(this.answerInputs || {}).map((k) => [k, k.startsWith("df/d") ? `∂f/∂${k.slice(4)}` : k]));
    clear(this.checkOut).append(r.ok ? checkReport(r.data, this.lang, labels) : errorBox(r.data, this.lang));
  }
}
