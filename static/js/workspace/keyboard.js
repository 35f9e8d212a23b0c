/* Coding from the keyboard: in the text, arrows move a caret, Shift+arrows extend the selection (Ctrl: by word),
 * Home/End go to the line's ends and Enter opens the picker on the selection; Ctrl+Z (or the Undo button) undoes
 * the user's last coding. */
import * as O from "../offsets.js";
import { undo } from "./codings.js";
import { paras } from "./paragraphs.js";
import { onSelectionDone } from "./picker.js";
import { pane, root } from "./state.js";

const MOVES = {
  ArrowLeft: ["backward", "character"],
  ArrowRight: ["forward", "character"],
  ArrowUp: ["backward", "line"],
  ArrowDown: ["forward", "line"],
  Home: ["backward", "lineboundary"],
  End: ["forward", "lineboundary"],
};

/** Whether a key went to a form field (where the page's shortcuts do not apply). */
export function typing(event) {
  return Boolean(event.target.closest && event.target.closest("input, textarea, select"));
}

export function initKeyboard() {
  document.getElementById("undo-button").addEventListener("click", undo);
  document.addEventListener("keydown", (event) => {
    if ((event.ctrlKey || event.metaKey) && event.key.toLowerCase() === "z" && !event.shiftKey && !typing(event)) {
      event.preventDefault();
      undo();
    }
  });
  root.addEventListener("keydown", (event) => {
    const sel = window.getSelection();
    if (MOVES[event.key] && !event.altKey && !event.metaKey) {
      event.preventDefault();
      if (!sel.rangeCount || !root.contains(sel.anchorNode)) {
        // no caret in the text yet: start at the first line in view
        const first = paras.find((p) => p.el.getBoundingClientRect().bottom > pane.getBoundingClientRect().top) || paras[0];
        const at = O.domPoint(first.el, 0);
        sel.collapse(at.node, at.offset);
      }
      const [direction, unit] = MOVES[event.key];
      sel.modify(event.shiftKey ? "extend" : "move", direction, event.ctrlKey && unit === "character" ? "word" : unit);
    } else if (event.key === "Enter" && !sel.isCollapsed) {
      event.preventDefault();
      onSelectionDone();
    }
  });
}
