// Pieces every view shares: nndl's error shown with its hint, and a checked answer.

import { clear, h, rich } from "./dom.js";
import { pick, t } from "./i18n.js";

/** {error, hint, line?, column?} as nndl sent it. */
export function errorBox(data, lang) {
  // the place, in the page's language, unless nndl's message starts with it already (第 2 行
  // … in Chinese, line 2 … in English)
  const message = data.error || "";
  let where = data.line ? (data.column ? t("line_col", lang, data) : t("line_only", lang, data)) : null;
  if (where && (message.startsWith(where) || new RegExp(`^(第 ${data.line} 行|line ${data.line}\\b)`).test(message))) {
    where = null;
  }
  // nndl quotes the user's text between backquotes: in Chinese set it as code (a backquote
  // is no Chinese mark); the English page keeps the command line's own text
  const said = (text) => (lang === "zh" && (text.match(/`/g) || []).length % 2 === 0 ? rich(text) : [text]);
  return h("div", { class: "error", role: "alert" },
    where ? h("span", { class: "where", text: where + " · " }) : null,
    h("span", { class: "message" }, said(message)),
    data.hint ? h("span", { class: "hint" }, t("hint", lang), said(data.hint)) : null);
}

/** nndl check's JSON: the score, then each answer with its verdict, feedback and step.
 *  labels: {key: label}, how the page named each answer box (a Chinese reader meets the
 *  label, not nndl check's key; the English page keeps the key). */
export function checkReport(report, lang, labels = {}) {
  const box = h("div", { class: "check-report" },
    h("p", { class: "score", text: t("check_score", lang, report) }));
  for (const it of report.items || []) {
    const mark = it.verdict === "correct" ? "✓" : it.verdict === "wrong" ? "✗" : "?";
    box.append(h("div", { class: `check-item ${it.verdict}`, "data-key": it.key },
      h("b", { text: `${mark} ${(lang === "zh" && labels[it.key]) || it.key} = ${it.given}`, title: it.key }), " — ",
      h("span", { class: "feedback", text: pick(it.feedback, lang) }),
      it.step ? h("span", { class: "step", text: it.step }) : null));
  }
  return box;
}

/** "Check my answer" for exercise `problem` (nndl check N): the exercise's answer keys (from
 *  nndl solve N's JSON, asked for when the box is first opened), a box for each, and the
 *  verdicts. params() gives the instance the view shows, as nndl check's NAME=VALUE pairs. */
export class CheckPanel {
  constructor({ problem, lang, lead, params, api }) {
    this.problem = String(problem);
    this.lang = lang;
    this.params = params;
    this.api = api;
    this.inputs = {};
    this.labels = {};
    this.grid = h("div", { class: "answers-grid wide", id: "answers" });
    this.out = h("div", { id: "check-result" });
    this.cmd = h("div", { class: "cmd small", id: "check-command" });
    this.button = h("button", { type: "button", class: "primary", id: "check-button",
      text: t("check_button", lang), onclick: () => this.check() });
    this.el = h("details", { class: "panel check-panel", id: "check", "data-part": "check" },
      h("summary", {}, h("b", { text: t("check_title", lang) })),
      h("p", { class: "muted small" }, rich(lead)), this.grid, h("p", {}, this.button), this.cmd, this.out);
    this.el.addEventListener("toggle", () => { if (this.el.open) this.load(); });
  }

  async load() {
    if (this.loaded) return;
    this.loaded = true;
    clear(this.grid).append(h("span", { class: "muted small busy", text: t("loading", this.lang) }));
    const r = await this.api("solve", { n: this.problem });
    clear(this.grid);
    if (!r.ok) { this.loaded = false; clear(this.out).append(errorBox(r.data, this.lang)); return; }
    const ex = r.data.exercises[0];
    for (const k of Object.keys(ex.answer_display)) {
      const input = h("input", { type: "text", class: "mono", "data-answer": k, autocomplete: "off",
        placeholder: t("your_answer", this.lang) });
      this.inputs[k] = input;
      this.labels[k] = pick(ex.answer_labels[k], this.lang) || k;
      this.grid.append(h("span", { class: "small", text: this.labels[k], title: k }), input);
    }
  }

  async check() {
    const answers = {};
    for (const [k, input] of Object.entries(this.inputs)) if (input.value.trim()) answers[k] = input.value.trim();
    if (!Object.keys(answers).length) {
      clear(this.out).append(h("p", { class: "muted", text: t("check_empty", this.lang) }));
      return;
    }
    const params = this.params();
    const words = [...Object.entries(params), ...Object.entries(answers)].map(([k, v]) => `${k}=${v}`);
    this.cmd.textContent = `$ nndl check ${this.problem} ${words.map((w) => (/^[\w.,=+-]+$/.test(w) ? w : `'${w}'`)).join(" ")}`;
    this.button.disabled = true;
    this.button.classList.add("busy");
    const r = await this.api("check", { problem: this.problem, ...params, ...answers, lang: this.lang });
    this.button.disabled = false;
    this.button.classList.remove("busy");
    clear(this.out).append(r.ok ? checkReport(r.data, this.lang, this.labels) : errorBox(r.data, this.lang));
  }
}
