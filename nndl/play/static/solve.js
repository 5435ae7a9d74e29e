// #/solve?n=4[&NAME=VALUE...] — the worked solutions, the same as `nndl solve N --format html`
// (the answer key's body, both languages, one shown), for the sheet's parameters or yours.

import { api } from "./api.js";
import { checkReport, errorBox } from "./common.js";
import { clear, codeWords, h, htmlFrom, rich } from "./dom.js";
import { pick, t } from "./i18n.js";

const OWN = new Set(["n", "lang", "hide"]);

export class SolveView {
  static PARTS = ["solution", "answers", "params", "check"];

  constructor(root, app) {
    this.app = app;
    this.lang = app.lang;
    this.seq = 0;
    const L = (k, v) => t(k, this.lang, v);
    this.tabs = h("div", { class: "tabs", id: "exercises" });
    for (let n = 1; n <= 6; n++) {
      this.tabs.append(h("button", { type: "button", "data-n": n, text: L("exercise_n", { n }),
        onclick: () => { this.app.replace(new Map([["n", String(n)]])); this.show(this.app.params); } }));
    }
    this.form = h("div", { class: "params-grid", id: "params" });
    this.button = h("button", { type: "button", class: "primary", id: "solve-button", text: L("solve_button"),
      onclick: () => this.submit() });
    this.err = h("div", { id: "error" });
    this.out = h("div", { class: "solution", id: "solution" });
    this.answers = h("div", { class: "answers-grid wide", id: "answers" });
    this.checkOut = h("div", { id: "check-result" });
    this.checkButton = h("button", { type: "button", class: "primary", id: "check-button",
      text: L("check_button"), onclick: () => this.check() });
    root.append(
      h("h1", { text: L("solve_title") }),
      h("p", { class: "lead" }, rich(L("solve_lead"))),
      this.tabs,
      h("div", { class: "cols" },
        h("div", {}, h("div", { class: "panel", "data-part": "params" }, this.form,
          h("div", { class: "row", style: "margin-top:.6rem" }, this.button,
            h("button", { type: "button", class: "small", id: "reset", text: L("reset"),
              onclick: () => { this.app.replace(new Map([["n", this.n()]])); this.show(this.app.params); } }))),
          h("div", { class: "panel", id: "check", "data-part": "check" },
            h("h2", { text: L("check_title") }),
            h("p", { class: "muted small" }, rich(L("check_lead_solve"))),
            this.answers, h("p", {}, this.checkButton), this.checkOut)),
        h("div", {}, this.err, this.out)));
  }

  get params() { return this.app.params; }

  n() { return this.params.get("n") || "4"; }

  /** The exercise's own parameters in the hash (everything but n and lang). */
  chosen() {
    return Object.fromEntries([...this.params].filter(([k]) => !OWN.has(k)));
  }

  async show() {
    if (!this.params.has("n")) this.app.set({ n: "4" });
    const n = this.n();
    for (const b of this.tabs.querySelectorAll("button")) b.classList.toggle("on", b.dataset.n === n);
    if (this.formFor !== n) await this.buildForm(n);
    this.fillForm();
    this.solve();
  }

  async buildForm(n) {
    const r = await api("solve/params", { n });
    clear(this.form);
    this.inputs = {};
    if (!r.ok) { clear(this.err).append(errorBox(r.data, this.lang)); return; }
    this.info = r.data;
    for (const p of r.data.params) {
      const name = p.name === "NAME" ? "values" : p.name;  // exercise 4: one box for x=1 y=2 ...
      const input = h(p.name === "spec" ? "textarea" : "input",
        { type: "text", class: "mono", "data-param": name, rows: p.name === "spec" ? 8 : null,
          wrap: p.name === "spec" ? "off" : null, autocomplete: "off", spellcheck: "false",
          placeholder: p.default });
      this.inputs[name] = input;
      // the parameter's name is what `nndl solve N NAME=VALUE` takes: code, as are the
      // values a Chinese help sentence names (sigmoid, cross_entropy, --full)
      const help = `${pick(p.help, this.lang)} · ${pick(p.allowed, this.lang)}`;
      this.form.append(
        h("label", { class: "num" }, name === "values" ? t("values_field", this.lang) : h("code", { text: name })), input,
        h("div", { class: "help" }, this.lang === "zh" ? codeWords(help) : help));
    }
    this.formFor = n;
  }

  fillForm() {
    const chosen = this.chosen();
    for (const [name, input] of Object.entries(this.inputs || {})) {
      if (name === "values") {
        const names = Object.keys(chosen).filter((k) => !(k in this.inputs));
        input.value = names.map((k) => `${k}=${chosen[k]}`).join(", ");
      } else {
        input.value = chosen[name] ?? "";
      }
    }
  }

  submit() {
    const params = new Map([["n", this.n()]]);
    for (const [name, input] of Object.entries(this.inputs || {})) {
      const v = input.value.trim();
      if (!v) continue;
      if (name === "values") {  // "x=1, y=2 z=-6" -> x=1 & y=2 & z=-6
        for (const item of v.split(/[,;\s]+/)) {
          const i = item.indexOf("=");
          if (i > 0) params.set(item.slice(0, i).trim(), item.slice(i + 1).trim());
        }
      } else {
        params.set(name, v);
      }
    }
    this.app.replace(params);
    this.solve();
  }

  async solve() {
    const seq = ++this.seq;
    const q = { n: this.n(), ...this.chosen() };
    this.button.disabled = true;
    this.out.classList.add("stale");
    this.button.classList.add("busy");
    const r = await api("solve/html", q);
    if (seq !== this.seq) return;
    this.button.disabled = false;
    this.button.classList.remove("busy");
    this.out.classList.remove("stale");
    if (!r.ok) {
      clear(this.err).append(errorBox(r.data, this.lang));
      return;
    }
    clear(this.err);
    clear(this.out).append(htmlFrom(r.data.html));
    this.drawAnswers(q);
  }

  /** The exercise's answer keys (nndl solve N --format json's answers), a box for each. */
  async drawAnswers(q) {
    const key = JSON.stringify(q);
    if (this.answersFor === key) return;
    const r = await api("solve", q);
    if (!r.ok) return;
    this.answersFor = key;
    const ex = r.data.exercises[0];
    this.answerInputs = {};
    this.answerLabels = {};
    clear(this.answers);
    clear(this.checkOut);
    for (const k of Object.keys(ex.answer_display)) {
      const input = h("input", { type: "text", class: "mono", "data-answer": k, autocomplete: "off",
        placeholder: t("your_answer", this.lang) });
      this.answerInputs[k] = input;
      const label = ex.answer_labels ? pick(ex.answer_labels[k], this.lang) : "";
      this.answerLabels[k] = label || k;
      this.answers.append(h("span", { class: "small", text: label || k, title: k }), input);
    }
  }

  async check() {
    const answers = {};
    for (const [k, input] of Object.entries(this.answerInputs || {})) {
      if (input.value.trim()) answers[k] = input.value.trim();
    }
    if (!Object.keys(answers).length) {
      clear(this.checkOut).append(h("p", { class: "muted", text: t("check_empty", this.lang) }));
      return;
    }
    this.checkButton.disabled = true;
    this.checkButton.classList.add("busy");
    const r = await api("check", { problem: this.n(), ...this.chosen(), ...answers, lang: this.lang });
    this.checkButton.disabled = false;
    this.checkButton.classList.remove("busy");
    clear(this.checkOut).append(r.ok ? checkReport(r.data, this.lang, this.answerLabels) : errorBox(r.data, this.lang));
  }
}
