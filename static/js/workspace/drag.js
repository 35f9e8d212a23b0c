/* Drag the selection (or the picker's pending span) onto a node of the codebook tree with the mouse to code it
 * there. A press inside the selection starts it; the browser's own text drag is not used (it cannot drop on the
 * tree's links). A press without a drag puts the caret there, as a click in text does. */
import { closePicker, codeAt, hold, markPending } from "./picker.js";
import { rangeFor, selectSpan, selectionSpan } from "./paragraphs.js";
import { root } from "./state.js";

function inside(range, x, y) {
  return range && [...range.getClientRects()].some((r) => x >= r.left && x <= r.right && y >= r.top && y <= r.bottom);
}

function rowAt(x, y) {
  const el = document.elementFromPoint(x, y);
  return el ? el.closest("#node-tree [data-node-id]") : null;
}

export function initDrag() {
  const ghost = document.createElement("div");
  ghost.className = "drag-ghost";
  ghost.hidden = true;
  document.body.appendChild(ghost);
  let press = null; // {span, x, y} from the mouse press until the button is released
  let over = null; // the tree row under the pointer

  root.addEventListener("mousedown", (event) => {
    if (event.button !== 0) return;
    const sel = window.getSelection();
    const pending = hold.pending;
    let span = null;
    if (sel.rangeCount && !sel.isCollapsed && inside(sel.getRangeAt(0), event.clientX, event.clientY)) span = selectionSpan();
    else if (pending && inside(rangeFor(pending.start, pending.end), event.clientX, event.clientY)) span = pending;
    if (!span) return;
    event.preventDefault();
    press = { span: { start: span.start, end: span.end, quote: span.quote, fromText: true }, x: event.clientX, y: event.clientY };
  });

  document.addEventListener("mousemove", (event) => {
    if (!press) return;
    if (!hold.dragging) {
      if (Math.abs(event.clientX - press.x) + Math.abs(event.clientY - press.y) < 5) return;
      hold.dragging = press.span;
      closePicker(false);
      markPending();
      const quote = hold.dragging.quote;
      ghost.textContent = quote.length > 24 ? quote.slice(0, 24) + "…" : quote;
      ghost.hidden = false;
      document.body.classList.add("dragging-selection");
    }
    ghost.style.left = event.clientX + 12 + "px";
    ghost.style.top = event.clientY + 12 + "px";
    const row = rowAt(event.clientX, event.clientY);
    if (row !== over) {
      if (over) over.classList.remove("drop-target");
      if (row) row.classList.add("drop-target");
      over = row;
    }
  });

  document.addEventListener(
    "mouseup",
    (event) => {
      if (!press) return;
      const span = hold.dragging;
      press = null;
      if (!span) {
        const at = document.caretRangeFromPoint && document.caretRangeFromPoint(event.clientX, event.clientY);
        if (at && root.contains(at.startContainer)) window.getSelection().collapse(at.startContainer, at.startOffset);
        return;
      }
      hold.dragging = null;
      hold.dragEnded = true;
      setTimeout(() => (hold.dragEnded = false), 0);
      ghost.hidden = true;
      document.body.classList.remove("dragging-selection");
      if (over) over.classList.remove("drop-target");
      over = null;
      markPending();
      const row = rowAt(event.clientX, event.clientY);
      if (row) codeAt([Number(row.dataset.nodeId)], span);
      else selectSpan(span.start, span.end);
    },
    true,
  );
}
