/* Offsets between the browser (UTF-16, DOM points) and the server (Unicode code points of the stored text).
 *
 * The text is rendered as one <p data-start="N"> per line, where N is the code-point offset of the line's
 * first character; the line breaks themselves are not in the DOM. A point inside a paragraph is therefore
 * N + the number of code points between the paragraph's start and the point.
 * An ES module (no build step): the coding page imports it.
 */

/** Number of code points in a JS string (a surrogate pair counts once). */
export function codePoints(s) {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0xdc00 || c > 0xdfff) n++;
  }
  return n;
}

/** UTF-16 index in `s` of code point number `cp`. */
export function unitsAt(s, cp) {
  let units = 0;
  for (let n = 0; n < cp && units < s.length; n++) {
    const c = s.charCodeAt(units);
    units += c >= 0xd800 && c <= 0xdbff && units + 1 < s.length ? 2 : 1;
  }
  return units;
}

function paragraphOf(root, node) {
  let el = node.nodeType === Node.ELEMENT_NODE ? node : node.parentNode;
  while (el && el !== root) {
    if (el.parentNode === root && el.dataset && el.dataset.start !== undefined) return el;
    el = el.parentNode;
  }
  return null;
}

/** Code-point offset in the document of a DOM point; points outside the text clamp to its ends. */
export function pointOffset(root, node, offset) {
  const length = Number(root.dataset.length);
  if (node === root) {
    const child = root.childNodes[offset];
    return child && child.dataset ? Number(child.dataset.start) : length;
  }
  if (!root.contains(node)) {
    return root.compareDocumentPosition(node) & Node.DOCUMENT_POSITION_PRECEDING ? 0 : length;
  }
  const p = paragraphOf(root, node);
  if (!p) return length;
  const range = document.createRange();
  range.setStart(p, 0);
  range.setEnd(node, offset);
  return Number(p.dataset.start) + codePoints(range.toString());
}

/** {start, end} in code points for a DOM Range, or null when it covers no text. */
export function rangeOffsets(root, range) {
  const start = pointOffset(root, range.startContainer, range.startOffset);
  const end = pointOffset(root, range.endContainer, range.endOffset);
  return end > start ? { start: start, end: end } : null;
}

/** The DOM point (text node, UTF-16 offset) of code-point offset `local` inside paragraph `p`. */
export function domPoint(p, local) {
  const walker = document.createTreeWalker(p, NodeFilter.SHOW_TEXT);
  let seen = 0;
  let last = null;
  for (let text = walker.nextNode(); text; text = walker.nextNode()) {
    const n = codePoints(text.data);
    if (local <= seen + n) return { node: text, offset: unitsAt(text.data, local - seen) };
    seen += n;
    last = text;
  }
  return last ? { node: last, offset: last.data.length } : { node: p, offset: 0 };
}

// also as a global, for the bench's and tests' probes
window.PolicyCoderOffsets = { codePoints, unitsAt, pointOffset, rangeOffsets, domPoint };
