/* What the page shows: all coders, mine, or chosen coders; colour by node or by coder; one node and its
 * descendants. Each change redraws. */
import { rerender } from "./render.js";
import { nodes, view } from "./state.js";

/** The ids of node `id` and every node below it. */
function subtree(id) {
  const found = new Set([id]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const n of nodes.values()) {
      if (n.parent !== null && found.has(n.parent) && !found.has(n.id)) {
        found.add(n.id);
        grew = true;
      }
    }
  }
  return found;
}

export function initFilters() {
  const layerSelect = document.getElementById("layer-select");
  const coderChoice = document.getElementById("coder-choice");
  const byCoder = document.getElementById("colour-by-coder");
  layerSelect.addEventListener("change", () => {
    view.layer = layerSelect.value;
    coderChoice.hidden = view.layer !== "chosen";
    rerender();
  });
  byCoder.addEventListener("change", () => {
    view.byCoder = byCoder.checked;
    rerender();
  });
  coderChoice.addEventListener("change", () => {
    view.chosen = new Set([...coderChoice.querySelectorAll("input:checked")].map((i) => i.value));
    rerender();
  });
  document.getElementById("node-filter").addEventListener("change", (event) => {
    const id = Number(event.target.value);
    view.nodeSet = id ? subtree(id) : null;
    rerender();
  });
}
