/* Coding stripes beside the text: one bar per key (node or coder) and paragraph, in the key's lane, with its label
 * where a coding begins. A label may run down its lane until the next stripe of that lane begins, never into a
 * neighbour's box. */
import * as O from "../offsets.js";
import { isCoderKey, keyColour, keyOf } from "./colours.js";
import { drawn } from "./highlights.js";
import { paras } from "./paragraphs.js";
import { coderLabel, nodes } from "./state.js";

const LANE = 16; // px per lane
const stripesEl = document.getElementById("stripes");
const stripeMap = new Map(); // paragraph index → its stripe elements

/** Make the stripe column as wide as the lanes in use. */
export function sizeStripes() {
  stripesEl.style.width = (Math.max(0, ...drawn.lanes.values()) + 1) * LANE + 8 + "px";
}

export function clearStripes(i) {
  (stripeMap.get(i) || []).forEach((el) => el.remove());
  stripeMap.delete(i);
}

/** Remove the stripes of paragraphs no longer near the viewport. */
export function clearFar() {
  stripeMap.forEach((_els, i) => {
    if (!paras[i].near) clearStripes(i);
  });
}

// The vertical extent on screen of code points [a, b) of paragraph p.
function extent(p, a, b) {
  const s = O.domPoint(p.el, a);
  const e = O.domPoint(p.el, b);
  const range = document.createRange();
  range.setStart(s.node, s.offset);
  range.setEnd(e.node, e.offset);
  const rects = Array.from(range.getClientRects()).filter((r) => r.height > 0);
  if (!rects.length) return null;
  return { top: rects[0].top, bottom: rects[rects.length - 1].bottom };
}

/** Draw paragraph `i`'s stripes afresh. */
export function drawStripes(i) {
  clearStripes(i);
  const p = paras[i];
  const list = drawn.byPara.get(i);
  if (!list || !p.len) return;
  const base = stripesEl.getBoundingClientRect().top;
  const perKey = new Map();
  for (const c of list) {
    const a = Math.max(0, c.start - p.start);
    const b = Math.min(p.len, c.end - p.start);
    if (b <= a) continue;
    const box = extent(p, a, b);
    if (!box) continue;
    const key = keyOf(c);
    const seen = perKey.get(key) || { top: box.top, bottom: box.bottom, begins: false, coders: new Set(), nodes: new Set() };
    seen.top = Math.min(seen.top, box.top);
    seen.bottom = Math.max(seen.bottom, box.bottom);
    seen.begins = seen.begins || c.start >= p.start;
    seen.coders.add(c.coder);
    seen.nodes.add(c.node);
    perKey.set(key, seen);
  }
  const made = [];
  for (const [key, box] of perKey) {
    const coderLane = isCoderKey(key);
    const stripe = document.createElement("div");
    stripe.className = "stripe";
    stripe.style.top = box.top - base + "px";
    stripe.style.height = Math.max(4, box.bottom - box.top) + "px";
    stripe.style.left = drawn.lanes.get(key) * LANE + "px";
    stripe.style.setProperty("--hl", keyColour(key));
    const paths = [...box.nodes].map((id) => nodes.get(id).path);
    stripe.title = coderLane ? coderLabel(key.slice(2)) + " · " + paths.join(", ") : paths[0] + " · " + [...box.coders].map(coderLabel).join(", ");
    if (!coderLane) stripe.dataset.node = key;
    stripe.dataset.lane = drawn.lanes.get(key);
    if (box.begins) {
      const label = document.createElement("span");
      label.className = "stripe-label";
      label.textContent = coderLane ? coderLabel(key.slice(2)) : nodes.get(key).name;
      stripe.appendChild(label);
    }
    stripesEl.appendChild(stripe);
    made.push(stripe);
  }
  stripeMap.set(i, made);
}

/** Clip each label to its lane's next stripe (at most 160 px). */
export function fitLabels() {
  const byLane = new Map();
  for (const el of stripesEl.querySelectorAll(".stripe")) {
    const lane = el.dataset.lane;
    if (!byLane.has(lane)) byLane.set(lane, []);
    byLane.get(lane).push({ el: el, top: parseFloat(el.style.top) });
  }
  for (const list of byLane.values()) {
    list.sort((a, b) => a.top - b.top);
    list.forEach((item, k) => {
      const label = item.el.querySelector(".stripe-label");
      if (!label) return;
      const next = k + 1 < list.length ? list[k + 1].top : Infinity;
      label.style.maxHeight = Math.max(0, Math.min(160, next - item.top - 3)) + "px";
    });
  }
}
