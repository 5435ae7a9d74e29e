// Pieces every view shares: nndl's error shown with its hint, and a checked answer.

import { h } from "./dom.js";
import { pick, t } from "./i18n.js";

/** {error, hint, line?, column?} as nndl sent it. */
export function errorBox(data, lang) {
  // the place, in the page's language (nndl's message starts with it in English)
  let where = data.line ? (data.column ? t("line_col", lang, data) : t("line_only", lang, data)) : null;
  if (where && (data.error || "").startsWith(where)) where = null;
  return h("div", { class: "error", role: "alert" },
    where ? h("span", { class: "where", text: where + " · " }) : null,
    h("span", { class: "message", text: data.error || "" }),
    data.hint ? h("span", { class: "hint", text: t("hint", lang) + data.hint }) : null);
}

/** nndl check's JSON: the score, then each answer with its verdict, feedback and step. */
export function checkReport(report, lang) {
  const box = h("div", { class: "check-report" },
    h("p", { class: "score", text: t("check_score", lang, report) }));
  for (const it of report.items || []) {
    const mark = it.verdict === "correct" ? "✓" : it.verdict === "wrong" ? "✗" : "?";
    box.append(h("div", { class: `check-item ${it.verdict}`, "data-key": it.key },
      h("b", { text: `${mark} ${it.key} = ${it.given}` }), " — ",
      h("span", { class: "feedback", text: pick(it.feedback, lang) }),
      it.step ? h("span", { class: "step", text: it.step }) : null));
  }
  return box;
}
