// #/summary?spec=...[&floor=1][&formulas=0] — exercises 5 and 6 live: a spec editor with
// presets, the layer table nndl summary computes (every cell's formula on hover and below
// the row), an error shown at its line with its hint, the feature maps as blocks, and a
// "check my answer" box (nndl check summary).

import { api } from "./api.js";
import { checkReport, errorBox } from "./common.js";
import { clear, debounce, h, rich } from "./dom.js";
import { pick, t } from "./i18n.js";

const INT = new Intl.NumberFormat("en-US");  // 27,000,100 as nndl writes it
const fmt = (n) => (typeof n === "number" ? INT.format(n) : String(n));

// which formula explains which column (the formulas start with the quantity they give)
// (nndl writes them in the page's language: 神经元数 / 参数量 / 乘加次数 in Chinese)
const COLUMN_FORMULA = {
  shape: (f) => /^(W2|D2|N =|H2)/.test(f),
  neurons: (f) => /^(neurons|神经元数)/.test(f),
  params: (f) => /^(params|参数量)/.test(f),
  mult_adds: (f) => /^(mult-adds|乘加次数)/.test(f),
};

export class SummaryView {
  static PARTS = ["table", "blocks", "check"];

  constructor(root, app) {
    this.app = app;
    this.lang = app.lang;
    this.seq = 0;
    this.data = null;
    const L = (k, v) => t(k, this.lang, v);
    this.presetSelect = h("select", { id: "preset", "aria-label": L("presets") },
      h("option", { value: "", text: L("choose_preset") }));
    this.presetSelect.addEventListener("change", () => {
      const p = (this.presets || []).find((x) => x.id === this.presetSelect.value);
      if (!p) return;
      this.text.value = p.spec;
      this.app.set({ spec: p.spec });
      this.refresh();
    });
    this.gutter = h("pre", { class: "gutter", "aria-hidden": "true" });
    this.text = h("textarea", { id: "spec", spellcheck: "false", autocomplete: "off", rows: 14,
      "aria-label": L("spec"), wrap: "off" });
    const later = debounce(() => this.refresh(), 150);
    this.text.addEventListener("input", () => {
      this.app.set({ spec: this.text.value });
      this.drawGutter(null);
      this.markPreset();
      later();
    });
    this.text.addEventListener("scroll", () => { this.gutter.scrollTop = this.text.scrollTop; });
    this.floor = h("input", { type: "checkbox", id: "floor" });
    this.floor.addEventListener("change", () => { this.app.set({ floor: this.floor.checked ? "1" : null }); this.refresh(); });
    this.formulas = h("input", { type: "checkbox", id: "formulas" });
    this.formulas.addEventListener("change", () => {
      this.app.set({ formulas: this.formulas.checked ? null : "0" });
      if (this.data) this.renderTable();
    });
    this.err = h("div", { id: "error" });
    this.table = h("table", { class: "data", id: "layers" });
    this.notes = h("div", { id: "notes" });
    this.blocks = h("div", { class: "blocks", id: "blocks" });
    this.checkKey = h("select", { id: "check-key", "aria-label": L("check_title") });
    this.checkValue = h("input", { type: "text", id: "check-value", class: "mono", autocomplete: "off",
      placeholder: L("your_answer") });
    this.checkOut = h("div", { id: "check-result" });
    root.append(
      h("h1", { text: L("summary_title") }),
      h("p", { class: "lead" }, rich(L("summary_lead"))),
      h("div", { class: "cols" },
        h("div", {},
          h("div", { class: "panel" },
            h("label", { class: "field", for: "preset", text: L("presets") }), this.presetSelect,
            h("label", { class: "field", for: "spec", text: L("spec") }),
            h("div", { class: "editor" }, this.gutter, this.text),
            h("label", { class: "small" }, this.floor, " ", L("floor")), h("br"),
            h("label", { class: "small" }, this.formulas, " ", L("show_formulas"))),
          h("div", { class: "panel", id: "check", "data-part": "check" },
            h("h2", { text: L("check_title") }),
            h("p", { class: "muted small", text: L("check_lead_summary") }),
            this.checkKey, h("div", { class: "row", style: "margin-top:.4rem" }, this.checkValue,
              h("button", { type: "button", class: "primary", id: "check-button", text: L("check_button"),
                onclick: () => this.check() })),
            this.checkOut)),
        h("div", {},
          this.err, h("div", { "data-part": "table" }, this.table, this.notes),
          h("div", { "data-part": "blocks" }, h("h2", { text: L("feature_maps") }), this.blocks))));
    this.loadPresets();
  }

  get params() { return this.app.params; }

  async loadPresets() {
    const r = await api("presets", {});
    if (!r.ok) return;
    this.presets = r.data.presets;
    for (const p of this.presets) this.presetSelect.append(h("option", { value: p.id, text: pick(p.title, this.lang) }));
    if (!this.params.get("spec")) {  // a bare #/summary opens on the sheet's exercise 6
      const ex6 = this.presets.find((p) => p.id === "ex6");
      this.app.set({ spec: ex6.spec });
      this.show(this.params);
    }
    this.markPreset();
  }

  show(params) {
    const spec = params.get("spec");
    if (spec === undefined) return;  // waiting for the presets
    if (document.activeElement !== this.text && this.text.value !== spec) this.text.value = spec;
    this.markPreset();
    this.floor.checked = params.get("floor") === "1";
    this.formulas.checked = params.get("formulas") !== "0";
    this.drawGutter(null);
    this.refresh();
  }

  markPreset() {  // the preset this spec is, if it is one
    const p = (this.presets || []).find((x) => x.spec === this.params.get("spec"));
    this.presetSelect.value = p ? p.id : "";
  }

  drawGutter(badLine) {
    const n = Math.max(1, this.text.value.split("\n").length);
    clear(this.gutter);
    for (let i = 1; i <= n; i++) {
      this.gutter.append(h("span", { class: i === badLine ? "bad" : null, "data-line": i, text: String(i) }));
    }
    this.gutter.scrollTop = this.text.scrollTop;
  }

  async refresh() {
    const seq = ++this.seq;
    const spec = this.params.get("spec") || "";
    const q = { spec };
    if (this.params.get("floor") === "1") q.floor = "1";
    const r = await api("summary", q);
    if (seq !== this.seq) return;
    if (!r.ok) {
      clear(this.err).append(errorBox(r.data, this.lang));
      this.drawGutter(r.data.line || null);
      this.text.classList.add("bad");
      this.table.classList.add("stale");
      this.blocks.classList.add("stale");
      return;
    }
    this.data = r.data;
    clear(this.err);
    this.drawGutter(null);
    this.text.classList.remove("bad");
    this.table.classList.remove("stale");
    this.blocks.classList.remove("stale");
    this.renderTable();
    this.renderBlocks();
    this.renderCheckKeys();
  }

  renderTable() {
    const d = this.data;
    const L = (k) => t(k, this.lang);
    const showFormulas = this.params.get("formulas") !== "0";
    const cell = (layer, column, text, cls) => {
      const why = (layer.formulas || []).filter(COLUMN_FORMULA[column]).join("\n");
      return h("td", { class: cls, title: why || null, "data-col": column, text });
    };
    const body = h("tbody");
    body.append(h("tr", { class: "input-row" },
      h("td", { text: L("input") }), h("td", { text: "" }),
      h("td", { class: "num", text: d.input_shape_textbook }),
      h("td", {}), h("td", {}), h("td", {})));
    for (const layer of d.layers) {
      body.append(h("tr", { "data-layer": layer.name, "data-line": layer.line },
        h("td", { class: "num", text: layer.name }),
        h("td", { class: "muted", text: layer.type }),
        cell(layer, "shape", layer.output_shape_textbook, "num"),
        cell(layer, "neurons", fmt(layer.neurons), "r num"),
        cell(layer, "params", fmt(layer.params), "r num"),
        cell(layer, "mult_adds", fmt(layer.mult_adds), "r num")));
      const extra = [...(layer.formulas || []), ...(layer.notes || []).map((n) => pick(n, this.lang))];
      if (showFormulas && extra.length) {
        body.append(h("tr", { class: "formulas" }, h("td", { colspan: 6 },
          ...extra.map((f, i) => [i ? h("br") : null, f]))));
      }
    }
    body.append(h("tr", { class: "total" },
      h("td", { text: L("total") }), h("td", {}), h("td", {}),
      h("td", { class: "r num", id: "total-neurons", text: fmt(d.total_neurons) }),
      h("td", { class: "r num", id: "total-params", text: fmt(d.total_params) }),
      h("td", { class: "r num", id: "total-mult-adds", text: fmt(d.total_mult_adds) })));
    clear(this.table).append(
      h("thead", {}, h("tr", {},
        h("th", { text: L("layer") }), h("th", { text: L("type") }), h("th", { text: L("out_shape") }),
        h("th", { class: "r", text: L("neurons") }), h("th", { class: "r", text: L("params") }),
        h("th", { class: "r", text: L("mult_adds") }))),
      body);
    clear(this.notes);
    for (const n of d.notes || []) this.notes.append(h("p", { class: "muted small", text: pick(n, this.lang) }));
  }

  renderBlocks() {
    // blocks sized by the shapes nndl computed: height by the map's side, width by its depth
    const shapes = [{ name: t("input", this.lang), shape: this.data.input_shape, text: this.data.input_shape_textbook }]
      .concat(this.data.layers.filter((l) => !/^(ReLU|Sigmoid|Tanh|LeakyReLU|Softmax|Dropout|BatchNorm)/.test(l.type))
        .map((l) => ({ name: l.name, shape: l.output_shape, text: l.output_shape_textbook })));
    const side = Math.max(...shapes.map((s) => (s.shape.length === 3 ? s.shape[1] : 1)));
    const depth = Math.max(...shapes.map((s) => (s.shape.length === 3 ? s.shape[0] : 1)));
    const units = Math.max(...shapes.map((s) => (s.shape.length === 1 ? s.shape[0] : 1)));
    clear(this.blocks);
    for (const s of shapes) {
      const map = s.shape.length === 3;
      const height = map ? 14 + 110 * Math.sqrt(s.shape[1] / side) : 14 + 110 * Math.sqrt(s.shape[0] / units);
      const width = map ? 6 + 44 * Math.sqrt(s.shape[0] / depth) : 8;
      this.blocks.append(h("figure", { title: `${s.name}: ${s.text}` },
        h("div", { class: map ? "blk" : "blk fc", style: `width:${width.toFixed(1)}px;height:${height.toFixed(1)}px` }),
        h("div", { class: "cap", text: s.name }),
        h("div", { class: "cap num", text: s.text })));
    }
  }

  renderCheckKeys() {
    const before = this.checkKey.value;
    const L = (k) => t(k, this.lang);
    clear(this.checkKey).append(h("option", { value: "total_params", text: L("q_total") }));
    for (const layer of this.data.layers) {
      for (const [w, label] of [["params", "q_params"], ["output", "q_output"], ["neurons", "q_neurons"]]) {
        this.checkKey.append(h("option", { value: `${layer.name}.${w}`, text: `${layer.name} · ${L(label)}` }));
      }
    }
    if ([...this.checkKey.options].some((o) => o.value === before)) this.checkKey.value = before;
  }

  async check() {
    const value = this.checkValue.value.trim();
    if (!value) {
      clear(this.checkOut).append(h("p", { class: "muted", text: t("check_empty", this.lang) }));
      return;
    }
    const r = await api("check", { problem: "summary", spec: this.params.get("spec") || "",
                                   [this.checkKey.value]: value, lang: this.lang });
    const option = this.checkKey.selectedOptions[0];
    const labels = option ? { [option.value]: option.textContent } : {};
    clear(this.checkOut).append(r.ok ? checkReport(r.data, this.lang, labels) : errorBox(r.data, this.lang));
  }
}
