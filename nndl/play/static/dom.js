// Small DOM helpers. Text is always set as text (never parsed as HTML); the only markup the
// page inserts is what nndl's own server drew (SVG, the answer key), through DOMParser.

export function h(tag, attrs = {}, ...children) {
  const svg = ["svg", "g", "rect", "circle", "path", "line", "polyline",
    "polygon", "text", "title", "defs", "clipPath"].includes(tag)
    && attrs.svg !== false;
  const el = svg ? document.createElementNS("http://www.w3.org/2000/svg", tag) : document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false || k === "svg") continue;
    if (k.startsWith("on") && typeof v === "function") el.addEventListener(k.slice(2), v);
    else if (k === "class") el.setAttribute("class", v);
    else if (k === "text") el.textContent = v;
    else if (k in el && !svg && typeof v !== "string") el[k] = v;
    else el.setAttribute(k, v === true ? "" : String(v));
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

export function clear(el) {
  while (el.firstChild) el.removeChild(el.firstChild);
  return el;
}

/** An SVG document drawn by nndl, as an element of this page. */
export function svgFrom(text) {
  const doc = new DOMParser().parseFromString(text, "image/svg+xml");
  const root = doc.documentElement;
  if (root.nodeName !== "svg") throw new Error("not an SVG drawing");
  return document.importNode(root, true);
}

/** HTML written by nndl (the answer key), as nodes of this page (scripts never run). */
export function htmlFrom(text) {
  const doc = new DOMParser().parseFromString(`<body>${text}</body>`, "text/html");
  for (const s of doc.querySelectorAll("script")) s.remove();
  const frag = document.createDocumentFragment();
  for (const n of Array.from(doc.body.childNodes)) frag.append(document.importNode(n, true));
  return frag;
}

export function debounce(fn, ms) {
  let timer = null;
  return (...args) => { clearTimeout(timer); timer = setTimeout(() => fn(...args), ms); };
}
