/* What a highlight or stripe stands for: a node, or in "colour by coder" mode a coder ("u:" + user name); its
 * colour and its order (the lanes are taken in that order, and the last key covering a piece gives its colour). */
import { data, nodeOrder, nodes, view } from "./state.js";

// Each coder a colour of their own for "colour by coder" (a fixed palette, in the order of data.coders).
const CODER_PALETTE = ["#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#b07aa1", "#76b7b2", "#edc948", "#9c755f", "#ff9da7", "#bab0ac"];

function coderColour(name) {
  const i = data.coders.indexOf(name);
  return CODER_PALETTE[(i === -1 ? data.coders.length : i) % CODER_PALETTE.length];
}

/** The key of coding `c`: its node, or in "colour by coder" mode its coder. */
export function keyOf(c) {
  return view.byCoder ? "u:" + c.coder : c.node;
}

/** Whether a key stands for a coder rather than a node. */
export function isCoderKey(key) {
  return typeof key === "string";
}

export function keyColour(key) {
  return isCoderKey(key) ? coderColour(key.slice(2)) : nodes.get(key).shade || nodes.get(key).color;
}

export function keyOrder(key) {
  return isCoderKey(key) ? data.coders.indexOf(key.slice(2)) : nodeOrder.get(key);
}

/** The colour of a piece of text covered by `covering` codings: that of the key last in order. */
export function colourOf(covering) {
  let best = covering[0];
  for (const c of covering) if (keyOrder(keyOf(c)) > keyOrder(keyOf(best))) best = c;
  return keyColour(keyOf(best));
}

/** A small square of `color` (node lists in the picker and the "codings here" panel). */
export function swatch(color) {
  const s = document.createElement("span");
  s.className = "swatch";
  s.style.background = color;
  return s;
}
