/* The node picker: opened on a selection (or an outline article, or all hits of a find), it codes the pending span
 * at the chosen nodes. Keys: ↑↓ move, Space ticks, Enter codes, 1–9 a recent node, Esc closes and gives the
 * selection back. The pending span stays visible (CSS Custom Highlight API) while focus is in the picker. */
import { code, createNode } from "./codings.js";
import { swatch } from "./colours.js";
import { rangeFor, selectSpan, selectionSpan } from "./paragraphs.js";
import { afterRedraw } from "./render.js";
import { data, nodes, root } from "./state.js";
import { say } from "./status.js";

const picker = document.getElementById("picker");
const search = document.getElementById("picker-search");
const listEl = document.getElementById("picker-list");
const recentEl = document.getElementById("picker-recent");
const recentKey = "policycoder-recent-" + data.project;
const ticked = new Set();
let items = [];
let active = 0;

/** The span the picker works on, the span being dragged (drag.js), and whether a drag just ended (so its mouseup
 * does not open the picker). */
export const hold = { pending: null, dragging: null, dragEnded: false };

function recent() {
  try {
    return JSON.parse(localStorage.getItem(recentKey) || "[]").filter((id) => nodes.has(id));
  } catch (_e) {
    return [];
  }
}

function remember(ids) {
  const list = [...ids, ...recent().filter((id) => !ids.includes(id))].slice(0, 9);
  localStorage.setItem(recentKey, JSON.stringify(list));
}

function renderPicker() {
  const query = search.value.trim().toLowerCase();
  // a node that only organizes others (REFI isCodable="false") is not offered
  items = [...nodes.values()].filter((n) => n.codable !== false && (!query || n.path.toLowerCase().includes(query))).slice(0, 60);
  active = Math.min(active, Math.max(0, items.length - 1));
  listEl.replaceChildren(
    ...items.map((n, i) => {
      const li = document.createElement("li");
      li.setAttribute("role", "option");
      li.dataset.nodeId = n.id;
      li.className = (i === active ? "active " : "") + (ticked.has(n.id) ? "ticked" : "");
      li.setAttribute("aria-selected", ticked.has(n.id) ? "true" : "false");
      li.append(swatch(n.color), document.createTextNode(n.path));
      return li;
    }),
  );
  recentEl.replaceChildren(
    ...recent().map((id, i) => {
      const li = document.createElement("li");
      li.dataset.nodeId = id;
      const key = document.createElement("kbd");
      key.textContent = String(i + 1);
      li.append(key, swatch(nodes.get(id).color), document.createTextNode(nodes.get(id).name));
      return li;
    }),
  );
  const current = listEl.children[active];
  if (current) current.scrollIntoView({ block: "nearest" });
}

let marked = null;
/** Draw the pending (or dragged) span with the CSS Custom Highlight API: no elements added, so painting and
 * offsets are untouched. */
export function markPending() {
  if (!window.CSS || !CSS.highlights) return;
  const span = hold.pending || hold.dragging;
  if (!span) {
    if (marked) CSS.highlights.delete("pc-pending");
    marked = null;
    return;
  }
  const range = rangeFor(span.start, span.end);
  if (range) CSS.highlights.set("pc-pending", new Highlight(range));
  marked = span;
}

/** Open the picker on `span` ({start, end, quote}, maybe `hits` and `returnTo`), beside `anchorRect` or the span. */
export function openPicker(span, anchorRect) {
  hold.pending = span;
  markPending();
  ticked.clear();
  active = 0;
  search.value = "";
  document.getElementById("picker-quote").textContent = span.quote.length > 80 ? span.quote.slice(0, 80) + "…" : span.quote;
  picker.hidden = false;
  const rect = anchorRect || span.rect;
  const top = Math.min(window.innerHeight - picker.offsetHeight - 8, rect.bottom + 6);
  const left = Math.min(window.innerWidth - picker.offsetWidth - 8, Math.max(8, rect.left));
  picker.style.top = Math.max(8, top) + "px";
  picker.style.left = left + "px";
  renderPicker();
  search.focus({ preventScroll: true });
}

/** Close the picker; with `restore` the pending range becomes the text selection again (Esc, Cancel), or focus
 * goes back where the span came from (span.returnTo: the find box). */
export function closePicker(restore) {
  const span = hold.pending;
  picker.hidden = true;
  hold.pending = null;
  markPending();
  if (restore && span && span.fromText) {
    root.focus({ preventScroll: true });
    selectSpan(span.start, span.end);
  } else if (restore && span && span.returnTo) {
    span.returnTo.focus();
  }
}

/** Code `span` at `ids`; once saved, the nodes go first in the recent list and the picker closes. */
export async function codeAt(ids, span) {
  if (await code(ids, span)) {
    remember(ids);
    closePicker(false);
  }
}

function chosenIds() {
  if (ticked.size) return [...ticked];
  return items[active] ? [items[active].id] : [];
}

/** A selection was made (mouse up, or Enter in the text): open the picker on it. */
export function onSelectionDone() {
  if (!data.canCode || !picker.hidden || hold.dragging || hold.dragEnded) return;
  const span = selectionSpan();
  if (span) openPicker(span);
}

function onSearchKey(event) {
  if (event.key === "ArrowDown" || event.key === "ArrowUp") {
    active = Math.max(0, Math.min(items.length - 1, active + (event.key === "ArrowDown" ? 1 : -1)));
    renderPicker();
    event.preventDefault();
  } else if (event.key === " " && !search.value) {
    const n = items[active];
    if (n) ticked.has(n.id) ? ticked.delete(n.id) : ticked.add(n.id);
    renderPicker();
    event.preventDefault();
  } else if (event.key === "Enter") {
    event.preventDefault();
    codeAt(chosenIds(), hold.pending);
  } else if (event.key === "Escape") {
    event.preventDefault();
    closePicker(true);
  } else if (/^[1-9]$/.test(event.key) && !search.value) {
    const id = recent()[Number(event.key) - 1];
    if (id !== undefined) {
      event.preventDefault();
      codeAt([id], hold.pending);
    }
  }
}

export function initPicker() {
  afterRedraw(markPending);
  document.addEventListener("mousedown", (event) => {
    if (!picker.hidden && !picker.contains(event.target) && !hold.dragging) closePicker(false);
  });
  if (!data.canCode) return;
  document.addEventListener("mouseup", (event) => {
    if (picker.contains(event.target) || event.target.closest("#node-tree, #find-bar, #shortcuts")) return;
    setTimeout(onSelectionDone, 0);
  });
  search.addEventListener("input", () => {
    active = 0;
    renderPicker();
  });
  search.addEventListener("keydown", onSearchKey);
  listEl.addEventListener("click", (event) => {
    const li = event.target.closest("li[data-node-id]");
    if (!li) return;
    const id = Number(li.dataset.nodeId);
    if (event.ctrlKey || event.metaKey || event.shiftKey) {
      ticked.has(id) ? ticked.delete(id) : ticked.add(id);
      renderPicker();
    } else {
      codeAt([...new Set([...ticked, id])], hold.pending);
    }
  });
  recentEl.addEventListener("click", (event) => {
    const li = event.target.closest("li[data-node-id]");
    if (li) codeAt([Number(li.dataset.nodeId)], hold.pending);
  });
  document.getElementById("picker-code").addEventListener("click", () => codeAt(chosenIds(), hold.pending));
  document.getElementById("picker-cancel").addEventListener("click", () => closePicker(true));
  const newButton = document.getElementById("picker-new");
  if (newButton) {
    newButton.addEventListener("click", async () => {
      const name = document.getElementById("picker-new-name").value.trim();
      if (!name) return;
      const parent = items[active] ? items[active].id : null;
      let id;
      try {
        id = await createNode(name, parent);
      } catch (error) {
        say(error.message, true);
        return;
      }
      codeAt([id], hold.pending);
    });
  }
  // "Code this article" from the outline.
  document.querySelectorAll(".code-section").forEach((button) =>
    button.addEventListener("click", () => {
      const start = Number(button.dataset.start);
      const end = Number(button.dataset.end);
      const label = button.previousElementSibling ? button.previousElementSibling.textContent : "";
      openPicker({ start: start, end: end, quote: label }, button.getBoundingClientRect());
    }),
  );
}
