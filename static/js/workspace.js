/* The coding page's entry module: it wires the parts in workspace/ together. A native ES module, no build step.
 *
 *   state.js       the page's data, nodes, codings and what the reader chose to see
 *   paragraphs.js  the text's lines, code-point spans as DOM ranges and selections (through ../offsets.js)
 *   colours.js     what a highlight or stripe stands for (node or coder), its colour and order
 *   highlights.js  which codings touch each line, their lanes (lanes.js), painting a line
 *   stripes.js     the stripes beside the text;  density.js  the density bar beside the scrollbar
 *   render.js      redrawing only the lines near the viewport, in one animation frame
 *   api.js         fetch with CSRF and {"detail"} errors;  codings.js  code, refresh, undo, change, remove
 *   status.js      the status line;  picker.js  the node picker;  drag.js  drag onto a node of the tree
 *   keyboard.js    caret, Shift+arrows, Enter, Ctrl+Z;  help.js  the "?" shortcuts help
 *   findbar.js     find in the document (the search itself is find.js);  here.js  the codings at a click
 *   filters.js     layer, coders, node, colour by coder;  suggestions.js  the suggestions panel
 */
import { refresh } from "./workspace/codings.js";
import { initDensity } from "./workspace/density.js";
import { initDrag } from "./workspace/drag.js";
import { initFilters } from "./workspace/filters.js";
import { initFind } from "./workspace/findbar.js";
import { initHelp } from "./workspace/help.js";
import { initHere } from "./workspace/here.js";
import { initKeyboard } from "./workspace/keyboard.js";
import { firstParaAt, paras, selectSpan } from "./workspace/paragraphs.js";
import { initPicker } from "./workspace/picker.js";
import { initRender, refreshNear, rerender } from "./workspace/render.js";
import { data, root, store } from "./workspace/state.js";
import { initSuggestions } from "./workspace/suggestions.js";

initDensity();
initRender();
initPicker(); // before initFind: the pending span is marked before the find hits on each redraw
if (data.canCode) {
  initDrag();
  initKeyboard();
}
initHelp();
initFind();
initHere();
initFilters();
initSuggestions();

// The team's new codings: on the Refresh button, when the window gets focus, and every 5 s while it is visible.
document.getElementById("refresh-button").addEventListener("click", () => refresh(true));
window.addEventListener("focus", () => refresh(true));
setInterval(() => document.visibilityState === "visible" && refresh(true), 5000);

// A link like #at-120-180 (from the node view, a search hit or a suggestion) shows and selects that passage.
function goToHash() {
  const match = /^#at-(\d+)-(\d+)$/.exec(location.hash);
  if (!match) return;
  const start = Number(match[1]);
  const end = Number(match[2]);
  if (end <= start || end > Number(root.dataset.length)) return;
  paras[firstParaAt(start)].el.scrollIntoView({ block: "center" });
  // selected and focused: ready to code (Enter opens the picker, or drag it onto a node)
  requestAnimationFrame(() => {
    root.focus({ preventScroll: true });
    selectSpan(start, end);
  });
}

rerender();
goToHash();
window.addEventListener("hashchange", goToHash);
// for the browser tests' and the bench's probes
window.PolicyCoderWorkspace = { refresh: refresh, codings: () => store.codings, paint: refreshNear, select: selectSpan };
