/* The find bar (Ctrl+F or the Find button): hits of a query in the text, drawn with the CSS Custom Highlight API
 * for lines near the view; Enter / Shift+Enter step through them, and "Code all hits…" codes them at once as one
 * undoable batch. The search itself is find.js. */
import { format } from "./api.js";
import { findHits } from "./find.js";
import { firstParaAt, paras, rangeFor } from "./paragraphs.js";
import { openPicker } from "./picker.js";
import { afterRedraw, schedule } from "./render.js";
import { M, pane, root } from "./state.js";

const MAX_HITS = 500;
const findBar = document.getElementById("find-bar");
const findInput = document.getElementById("find-input");
const findCount = document.getElementById("find-count");
const findCode = document.getElementById("find-code");
let hits = [];
let hitAt = -1;

function search(query) {
  return findHits(paras, query, MAX_HITS);
}

function markFind() {
  if (!window.CSS || !CSS.highlights) return;
  CSS.highlights.delete("pc-find");
  CSS.highlights.delete("pc-find-current");
  if (findBar.hidden || !hits.length) return;
  const near = hits.filter((h) => paras[firstParaAt(h.start)].near).map((h) => rangeFor(h.start, h.end)).filter(Boolean);
  CSS.highlights.set("pc-find", new Highlight(...near));
  if (hitAt >= 0) {
    const range = rangeFor(hits[hitAt].start, hits[hitAt].end);
    if (range) CSS.highlights.set("pc-find-current", new Highlight(range));
  }
}

function showFindCount() {
  if (!findInput.value) findCount.textContent = "";
  else if (!hits.length) findCount.textContent = M.noHits;
  else findCount.textContent = format(hits.length > MAX_HITS ? M.hitsMany : M.hits, { at: hitAt + 1, count: Math.min(hits.length, MAX_HITS) });
  if (findCode) findCode.disabled = !hits.length || hits.length > MAX_HITS;
}

function runFind() {
  hits = search(findInput.value);
  hitAt = hits.length ? 0 : -1;
  if (hitAt === 0) goToHit();
  showFindCount();
  markFind();
}

function goToHit() {
  const p = paras[firstParaAt(hits[hitAt].start)];
  const box = p.el.getBoundingClientRect();
  const shown = pane.getBoundingClientRect();
  if (box.top < shown.top + 40 || box.bottom > shown.bottom - 40) p.el.scrollIntoView({ block: "center" });
  showFindCount();
  schedule();
  markFind();
}

function step(by) {
  if (!hits.length) return;
  const count = Math.min(hits.length, MAX_HITS);
  hitAt = (hitAt + by + count) % count;
  goToHit();
}

function openFind() {
  const sel = window.getSelection();
  const chosen = sel.rangeCount && !sel.isCollapsed && root.contains(sel.anchorNode) ? sel.toString().trim() : "";
  findBar.hidden = false;
  if (chosen && !chosen.includes("\n") && chosen.length <= 200) findInput.value = chosen;
  findInput.focus();
  findInput.select();
  runFind();
}

function closeFind() {
  findBar.hidden = true;
  hits = [];
  hitAt = -1;
  markFind();
  root.focus({ preventScroll: true });
}

export function initFind() {
  afterRedraw(markFind);
  let findTimer = null;
  findInput.addEventListener("input", () => {
    clearTimeout(findTimer);
    findTimer = setTimeout(runFind, 120);
  });
  findInput.addEventListener("keydown", (event) => {
    if (event.key === "Enter") {
      event.preventDefault();
      clearTimeout(findTimer);
      if (hits.length === 0 || search(findInput.value).length !== hits.length) runFind();
      else step(event.shiftKey ? -1 : 1);
    } else if (event.key === "Escape") {
      event.preventDefault();
      closeFind();
    }
  });
  document.getElementById("find-next").addEventListener("click", () => step(1));
  document.getElementById("find-prev").addEventListener("click", () => step(-1));
  document.getElementById("find-close").addEventListener("click", closeFind);
  document.getElementById("find-button").addEventListener("click", openFind);
  document.addEventListener("keydown", (event) => {
    if ((event.ctrlKey || event.metaKey) && event.key.toLowerCase() === "f" && !event.shiftKey && !event.altKey) {
      event.preventDefault();
      openFind();
    }
  });
  if (findCode) {
    findCode.addEventListener("click", () => {
      if (!hits.length || hits.length > MAX_HITS) return;
      const quote = format(M.allHits, { count: hits.length, query: findInput.value });
      const span = { start: hits[0].start, end: hits[0].end, hits: hits.slice(), quote: quote, returnTo: findInput };
      openPicker(span, findCode.getBoundingClientRect());
    });
  }
}
