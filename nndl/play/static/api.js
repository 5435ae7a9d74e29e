// Talking to nndl: every number on the page comes from these calls.

/** "a=1&b=x%2By" -> Map. A '+' stays a plus sign: expressions are full of them. */
export function parseParams(text) {
  const out = new Map();
  for (const part of (text || "").split("&")) {
    if (!part) continue;
    const i = part.indexOf("=");
    const k = i < 0 ? part : part.slice(0, i);
    const v = i < 0 ? "" : part.slice(i + 1);
    try { out.set(decodeURIComponent(k), decodeURIComponent(v)); }
    catch { out.set(k, v); }
  }
  return out;
}

export function encodeParams(params) {
  const parts = [];
  for (const [k, v] of params) {
    if (v === undefined || v === null) continue;
    parts.push(`${encodeURIComponent(k)}=${encodeURIComponent(v)}`);
  }
  return parts.join("&");
}

// the page's language, sent with every request (lang=): nndl answers its refusals in it
let pageLang = null;
export function setLang(lang) { pageLang = lang; }

/** The parameters with the page's language added (unless they name one). */
export function withLang(params) {
  const map = new Map(params instanceof Map ? params : Object.entries(params || {}));
  if (pageLang && !map.has("lang")) map.set("lang", pageLang);
  return map;
}

/** GET /api/NAME?params -> {ok, status, data}; data is the JSON nndl answered with
 *  ({error, hint, line?, column?} when it refused), in the page's language. */
export async function api(name, params) {
  const q = encodeParams(withLang(params));
  const t0 = performance.now();
  let res;
  try {
    res = await fetch(`/api/${name}${q ? "?" + q : ""}`, { headers: { Accept: "application/json" } });
  } catch (e) {
    return { ok: false, status: 0, data: { error: String(e), hint: null } };
  }
  let data;
  try { data = await res.json(); }
  catch { data = { error: `HTTP ${res.status}`, hint: null }; }
  const status = document.getElementById("status");
  if (status) showStatus(status, name, res.status, Math.round(performance.now() - t0));
  return { ok: res.ok, status: res.status, data };
}

/** The footer: the last request, its status and time (the address as code). */
function showStatus(el, name, code, ms) {
  if (pageLang === "zh") {
    const path = document.createElement("code");
    path.textContent = `/api/${name}`;
    el.replaceChildren("最近一次请求 ", path, `：状态 ${code}，用时 ${ms} 毫秒`);
  } else {
    el.textContent = `/api/${name} ${code} · ${ms} ms`;
  }
}

/** Calls whose answers may arrive out of order: only the latest one's answer is used. */
export class Latest {
  constructor() { this.n = 0; }
  async call(name, params) {
    const mine = ++this.n;
    const r = await api(name, params);
    return mine === this.n ? r : null;
  }
}
