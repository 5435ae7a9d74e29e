// nndl play: the router. Each view's whole state is the URL hash (#/graph?expr=...&x=1), so a
// link reproduces what is on the screen; the language is part of it (&lang=en).

import { encodeParams, parseParams } from "./api.js";
import { clear, h } from "./dom.js";
import { t } from "./i18n.js";
import { GraphView } from "./graph.js";
import { SummaryView } from "./summary.js";
import { ActView } from "./act.js";
import { SolveView } from "./solve.js";

const VIEWS = { graph: GraphView, summary: SummaryView, act: ActView, solve: SolveView };
const ORDER = ["graph", "summary", "act", "solve"];

function readHash() {
  const raw = location.hash.replace(/^#\/?/, "");
  const i = raw.indexOf("?");
  const name = (i < 0 ? raw : raw.slice(0, i)) || "graph";
  return { name, params: parseParams(i < 0 ? "" : raw.slice(i + 1)) };
}

const html = document.documentElement;
const serverLang = ["zh", "en"].includes(html.dataset.defaultLang) ? html.dataset.defaultLang : "zh";

export const app = {
  name: null,
  lang: serverLang,
  params: new Map(),
  view: null,

  /** Change the state: update the hash (without reloading the view). */
  set(updates) {
    for (const [k, v] of Object.entries(updates)) {
      if (v === null || v === undefined || v === "") this.params.delete(k);
      else this.params.set(k, String(v));
    }
    this.writeHash();
  },

  /** Replace every parameter but the language. */
  replace(params) {
    const lang = this.params.get("lang");
    this.params = new Map(params);
    if (lang) this.params.set("lang", lang);
    this.writeHash();
  },

  writeHash() {
    const q = encodeParams(this.params);
    history.replaceState(null, "", `#/${this.name}${q ? "?" + q : ""}`);
  },

  setLang(lang) {
    this.params.set("lang", lang);
    this.writeHash();
    route(true);
  },
};

function drawChrome() {
  const lang = app.lang;
  html.dataset.lang = lang;
  html.lang = lang === "zh" ? "zh-CN" : "en";
  document.title = t("doc_title", lang);
  const nav = clear(document.getElementById("tabs"));
  for (const name of ORDER) {
    nav.append(h("a", { href: `#/${name}?lang=${lang}`, class: name === app.name ? "on" : null,
                        "data-view": name, text: t(`tab_${name}`, lang) }));
  }
  for (const b of document.querySelectorAll("[data-set-lang]")) {
    b.classList.toggle("on", b.dataset.setLang === lang);
  }
}

function route(force = false) {
  const { name, params } = readHash();
  const lang = ["zh", "en"].includes(params.get("lang")) ? params.get("lang") : serverLang;
  const same = name === app.name && lang === app.lang && app.view;
  app.name = name;
  app.lang = lang;
  app.params = params;
  drawChrome();
  if (same && !force) {
    app.view.show(params);
    return;
  }
  const root = clear(document.getElementById("view"));
  const View = VIEWS[name];
  if (!View) {
    root.append(h("p", { class: "error", text: t("unknown_view", lang, { name }) }));
    app.view = null;
    return;
  }
  app.view = new View(root, app);
  app.view.show(params);
}

for (const b of document.querySelectorAll("[data-set-lang]")) {
  b.addEventListener("click", () => app.setLang(b.dataset.setLang));
}
window.addEventListener("hashchange", () => route());
route();
