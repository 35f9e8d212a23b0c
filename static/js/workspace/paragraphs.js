/* The text's paragraphs (one <p data-start> per line) with their code-point offsets, and code-point spans as DOM
 * ranges and text selections. Offsets go through offsets.js. */
import * as O from "../offsets.js";
import { root } from "./state.js";

/** One entry per line: its element, start offset, text and length in code points, the index version it was last
 * painted at (-1: plain text) and whether it is near the viewport. */
export const paras = Array.from(root.children).map((el) => ({
  el: el,
  start: Number(el.dataset.start),
  text: el.textContent,
  len: O.codePoints(el.textContent),
  painted: -1,
  near: false,
}));

/** Index of the paragraph holding code-point `offset` (binary search over the starts). */
export function firstParaAt(offset) {
  let lo = 0;
  let hi = paras.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (paras[mid].start <= offset) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** A DOM Range for code points [start, end) of the document (null when the text does not hold them). */
export function rangeFor(start, end) {
  if (!paras.length || end <= start) return null;
  const first = paras[firstParaAt(start)];
  const last = paras[firstParaAt(Math.max(start, end - 1))];
  const s = O.domPoint(first.el, Math.max(0, start - first.start));
  const e = O.domPoint(last.el, Math.min(last.len, end - last.start));
  const range = document.createRange();
  range.setStart(s.node, s.offset);
  range.setEnd(e.node, e.offset);
  return range;
}

/** Make code points [start, end) the text selection. */
export function selectSpan(start, end) {
  const range = rangeFor(start, end);
  if (!range) return;
  const sel = window.getSelection();
  sel.removeAllRanges();
  sel.addRange(range);
}

/** The selection's range, or null when nothing is selected. */
export function selectedRange() {
  const sel = window.getSelection();
  return sel.rangeCount > 0 && !sel.isCollapsed ? sel.getRangeAt(0) : null;
}

/** The selected text as a span {start, end, quote, rect, fromText} in code points, or null when no text of the
 * document (or only white space) is selected. */
export function selectionSpan() {
  const sel = window.getSelection();
  if (!sel.rangeCount || sel.isCollapsed) return null;
  const range = sel.getRangeAt(0);
  if (!range.intersectsNode(root)) return null;
  const span = O.rangeOffsets(root, range);
  if (!span) return null;
  const quote = sel.toString();
  if (!quote.trim()) return null;
  return { start: span.start, end: span.end, quote: quote, rect: range.getBoundingClientRect(), fromText: true };
}
