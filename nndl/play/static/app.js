// nndl play: the router. Each view's whole state is the URL hash (#/graph?expr=...&x=1), so a
// link reproduces what is on the screen; the language is part of it (&lang=en).

import { encodeParams, parseParams, setLang } from "./api.js";
import { clear, h } from "./dom.js";
import { t } from "./i18n.js";
import { GraphView } from "./graph.js";
import { SummaryView } from "./summary.js";
import { ActView } from "./act.js";
import { SolveView } from "./solve.js";
import { OutlierView } from "./outlier.js";
import { VanishView } from "./vanish.js";
import { TrainView } from "./train.js";

const VIEWS = { graph: GraphView, summary: SummaryView, act: ActView, outlier: OutlierView,
                vanish: VanishView, train: TrainView, solve: SolveView };
const ORDER = ["graph", "summary", "act", "outlier", "vanish", "train", "solve"];

function readHash() {
  const raw = location.hash.replace(/^#\/?/, "");
  const i = raw.indexOf("?");
  const name = (i < 0 ? raw : raw.slice(0, i)) || "graph";
  return { name, params: parseParams(i < 0 ? "" : raw.slice(i + 1)) };
}

const html = document.documentElement;
const serverLang = ["zh", "en"].includes(html.dataset.defaultLang) ? html.dataset.defaultLang : "zh";
const LANG_KEY = "nndl-play-lang";   // the reader's last choice, kept across visits

function storedLang() {
  try {
    const v = localStorage.getItem(LANG_KEY);
    return ["zh", "en"].includes(v) ? v : null;
  } catch { return null; }
}

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

  /** Replace every parameter but the language and what the link hides. */
  replace(params) {
    const keep = ["lang", "hide"].filter((k) => this.params.has(k)).map((k) => [k, this.params.get(k)]);
    this.params = new Map(params);
    for (const [k, v] of keep) this.params.set(k, v);
    this.writeHash();
  },

  writeHash() {
    const q = encodeParams(this.params);
    history.replaceState(null, "", `#/${this.name}${q ? "?" + q : ""}`);
  },

  setLang(lang) {
    try { localStorage.setItem(LANG_KEY, lang); } catch { /* private mode: the link keeps it */ }
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
  const brand = document.querySelector(".brand");
  if (brand) brand.textContent = t("doc_title", lang);
  const nav = clear(document.getElementById("tabs"));
  for (const name of ORDER) {
    nav.append(h("a", { href: `#/${name}?lang=${lang}`, class: name === app.name ? "on" : null,
                        "data-view": name, text: t(`tab_${name}`, lang) }));
  }
  for (const b of document.querySelectorAll("[data-set-lang]")) {
    b.classList.toggle("on", b.dataset.setLang === lang);
  }
  drawShare();
}

/** &hide=check,result,... : the view's parts a teacher's link leaves out (a class per part
 *  on <main>; style.css hides [data-part~=PART] under it). */
function applyHide() {
  const root = document.getElementById("view");
  const hidden = new Set((app.params.get("hide") || "").split(",").filter(Boolean));
  for (const c of [...root.classList]) if (c.startsWith("hide-")) root.classList.remove(c);
  for (const part of hidden) if (/^[a-z]+$/.test(part)) root.classList.add(`hide-${part}`);
}

/** "Share": tick the parts to hide, copy the link. */
function drawShare() {
  const lang = app.lang;
  const View = VIEWS[app.name];
  const holder = clear(document.getElementById("share"));
  if (!View || !View.PARTS) return;
  const hidden = new Set((app.params.get("hide") || "").split(",").filter(Boolean));
  const link = h("input", { type: "text", id: "share-link", readonly: true, "aria-label": t("share_link", lang) });
  const showLink = () => { link.value = location.href; };
  const menu = h("div", { class: "menu" }, h("div", { class: "small muted", text: t("share_lead", lang) }));
  for (const part of View.PARTS) {
    const box = h("input", { type: "checkbox", "data-hide": part, checked: hidden.has(part) });
    box.addEventListener("change", () => {
      const on = [...menu.querySelectorAll("input[data-hide]:checked")].map((b) => b.dataset.hide);
      app.set({ hide: on.join(",") || null });
      applyHide();
      showLink();
    });
    menu.append(h("label", {}, box, " ", t(`part_${part}`, lang)));
  }
  menu.append(link);
  const details = h("details", { class: "share", id: "share-menu" },
    h("summary", { text: t("share", lang) }), menu);
  details.addEventListener("toggle", showLink);
  holder.append(details);
}

function route(force = false) {
  const { name, params } = readHash();
  const lang = ["zh", "en"].includes(params.get("lang")) ? params.get("lang") : (storedLang() || serverLang);
  setLang(lang);
  const same = name === app.name && lang === app.lang && app.view;
  app.name = name;
  app.lang = lang;
  app.params = params;
  drawChrome();
  applyHide();
  if (same && !force) {
    app.view.show(params);
    return;
  }
  if (app.view && app.view.destroy) app.view.destroy();   // e.g. a training stream closed
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
