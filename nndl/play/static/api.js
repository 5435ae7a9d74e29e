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

/** GET /api/NAME?params -> {ok, status, data}; data is the JSON nndl answered with
 *  ({error, hint, line?, column?} when it refused). */
export async function api(name, params) {
  const q = encodeParams(params instanceof Map ? params : new Map(Object.entries(params || {})));
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
  if (status) status.textContent = `/api/${name} ${res.status} · ${Math.round(performance.now() - t0)} ms`;
  return { ok: res.ok, status: res.status, data };
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
