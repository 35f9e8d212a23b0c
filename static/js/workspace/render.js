/* Drawing the codings: highlights and stripes only for paragraphs near the viewport (an IntersectionObserver
 * with a 600 px margin), so a long document with thousands of codings never holds more than a few hundred
 * highlight elements. Redraws are batched into one animation frame. */
import { drawDensity, invalidateDensity } from "./density.js";
import { drawn, paint, reindex, unpaint } from "./highlights.js";
import { paras, selectedRange } from "./paragraphs.js";
import { pane } from "./state.js";
import { clearFar, drawStripes, fitLabels, sizeStripes } from "./stripes.js";

// Marks drawn over the text after each redraw (the picker's pending range, the find hits), in registration order.
const overlays = [];

/** Register `draw` to run after every redraw of the paragraphs near the viewport. */
export function afterRedraw(draw) {
  overlays.push(draw);
}

/** Bring the paragraphs near the viewport up to date now. */
export function refreshNear() {
  // Repainting a paragraph replaces its text nodes, which would lose a selection inside it.
  const selection = selectedRange();
  const untouchable = (p) => selection !== null && selection.intersectsNode(p.el);
  paras.forEach((p, i) => {
    if (p.near) {
      if (p.painted !== drawn.version && !untouchable(p)) paint(i);
    } else if (p.painted !== -1 && !untouchable(p)) {
      unpaint(i);
    }
  });
  clearFar();
  paras.forEach((p, i) => {
    if (p.near) drawStripes(i);
  });
  fitLabels();
  overlays.forEach((draw) => draw());
  drawDensity();
}

let scheduled = false;
/** Redraw in the next animation frame (once, however often it is asked for). */
export function schedule() {
  if (scheduled) return;
  scheduled = true;
  requestAnimationFrame(() => {
    scheduled = false;
    refreshNear();
  });
}

/** The codings or the view changed: index them again and redraw. */
export function rerender() {
  reindex();
  sizeStripes();
  schedule();
}

/** Watch which paragraphs are near the viewport, and redraw when that or the window's size changes. */
export function initRender() {
  const observer = new IntersectionObserver(
    (entries) => {
      for (const entry of entries) paras[Number(entry.target.dataset.index)].near = entry.isIntersecting;
      schedule();
    },
    { root: pane, rootMargin: "600px 0px" },
  );
  paras.forEach((p, i) => {
    p.el.dataset.index = i;
    observer.observe(p.el);
  });
  window.addEventListener("resize", () => {
    invalidateDensity();
    schedule();
  });
  document.fonts && document.fonts.ready.then(schedule);
}
