/* Find in the document: hits of a query in the text's lines, as code-point spans (case-insensitive). */
import { codePoints } from "../offsets.js";

/** Hits of `query` in `paras` ({start, text}), at most `max` + 1 (one more says "there are more"). */
export function findHits(paras, query, max) {
  const found = [];
  if (!query) return found;
  const length = codePoints(query);
  const needle = query.toLowerCase();
  for (const p of paras) {
    if (found.length > max) break;
    const hay = p.text.toLowerCase();
    for (let i = hay.indexOf(needle); i !== -1 && found.length <= max; i = hay.indexOf(needle, i + needle.length)) {
      const start = p.start + codePoints(p.text.slice(0, i));
      found.push({ start: start, end: start + length });
    }
  }
  return found;
}
