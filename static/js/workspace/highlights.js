/* Highlights: which shown codings touch each paragraph, the stripe lane of each key, and painting a paragraph's
 * text as plain text and <span class="hl"> pieces. Only paragraphs near the viewport are painted (render.js). */
import * as O from "../offsets.js";
import { colourOf, keyOf, keyOrder } from "./colours.js";
import { packLanes } from "./lanes.js";
import { firstParaAt, paras } from "./paragraphs.js";
import { shown, store } from "./state.js";

// One lane per key shown; only beyond MAX_LANES do keys whose codings never overlap share a lane.
const MAX_LANES = 16;

/** The index: paragraph index → the shown codings touching it, key → lane, and a version that every reindex
 * bumps (a paragraph painted at an older version is painted again). */
export const drawn = { byPara: new Map(), lanes: new Map(), version: 0 };

/** Rebuild the index from the codings and the view. */
export function reindex() {
  const byPara = new Map();
  const spans = new Map();
  for (const c of store.codings) {
    if (!shown(c)) continue;
    const key = keyOf(c);
    if (!spans.has(key)) spans.set(key, []);
    spans.get(key).push([c.start, c.end]);
    for (let i = firstParaAt(c.start); i < paras.length && paras[i].start < c.end; i++) {
      if (paras[i].start + paras[i].len <= c.start && paras[i].len > 0) continue;
      if (!byPara.has(i)) byPara.set(i, []);
      byPara.get(i).push(c);
    }
  }
  drawn.byPara = byPara;
  drawn.lanes = packLanes(spans, keyOrder, MAX_LANES);
  drawn.version++;
}

/** Paint paragraph `i`: its text cut where codings begin and end, each coded piece a span in its colour. */
export function paint(i) {
  const p = paras[i];
  const list = (drawn.byPara.get(i) || []).filter((c) => c.end > p.start && c.start < p.start + p.len);
  if (!list.length) {
    if (p.el.childNodes.length !== 1 || p.el.firstChild.nodeType !== Node.TEXT_NODE) p.el.textContent = p.text;
    p.painted = drawn.version;
    return;
  }
  const cuts = new Set([0, p.len]);
  for (const c of list) {
    cuts.add(Math.max(0, c.start - p.start));
    cuts.add(Math.min(p.len, c.end - p.start));
  }
  const points = [...cuts].sort((a, b) => a - b);
  const units = points.map((cp) => O.unitsAt(p.text, cp));
  const fragment = document.createDocumentFragment();
  for (let k = 0; k < points.length - 1; k++) {
    const piece = p.text.slice(units[k], units[k + 1]);
    const covering = list.filter((c) => c.start - p.start <= points[k] && c.end - p.start >= points[k + 1]);
    if (!covering.length) {
      fragment.appendChild(document.createTextNode(piece));
      continue;
    }
    const span = document.createElement("span");
    span.className = new Set(covering.map(keyOf)).size > 1 ? "hl multi" : "hl";
    span.style.setProperty("--hl", colourOf(covering));
    span.dataset.codings = covering.map((c) => c.id).join(",");
    span.textContent = piece;
    fragment.appendChild(span);
  }
  p.el.replaceChildren(fragment);
  p.painted = drawn.version;
}

/** Back to plain text (a paragraph far from the viewport). */
export function unpaint(i) {
  const p = paras[i];
  if (p.painted !== -1) {
    p.el.textContent = p.text;
    p.painted = -1;
  }
}
