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

/** Text with `backquoted` parts set as code (commands, expressions to type), no markup
 *  parsed: the page's own sentences name nndl's commands this way. */
export function rich(text) {
  return String(text).split("`").map((part, i) => (i % 2 ? h("code", { text: part }) : part));
}

/** Text whose command words (flags, parameter names and values such as leaky_relu, --full)
 *  are set as code, the rest as text: in a Chinese sentence they are what the reader types. */
export function codeWords(text) {
  const out = [];
  let last = 0;
  for (const m of String(text).matchAll(/--?[a-z][\w-]*|\b[a-z][a-z_]*[a-z][A-Za-z0-9_]*\b/g)) {
    if (m.index > last) out.push(text.slice(last, m.index));
    out.push(h("code", { text: m[0] }));
    last = m.index + m[0].length;
  }
  if (last < text.length) out.push(text.slice(last));
  return out;
}

export function debounce(fn, ms) {
  let timer = null;
  return (...args) => { clearTimeout(timer); timer = setTimeout(() => fn(...args), ms); };
}
