/* The coding page's suggestions panel (loaded and reloaded by htmx).

   1. It follows the text in view: as the reader scrolls the document, the panel lists the suggestions whose unit
      (article, item or paragraph) overlaps the paragraphs in view; "Show all" lists every suggestion of the document.
      It watches the document's paragraphs (<p data-start> in #doc-text) with its own IntersectionObserver.
   2. After a suggestion is accepted there (htmx fires codings-changed), the codings are fetched and redrawn at once
      instead of at the next poll. */
import { refresh } from "./codings.js";
import { paras } from "./paragraphs.js";
import { pane, root } from "./state.js";

export function initSuggestions() {
  let showAll = false;
  document.body.addEventListener("codings-changed", () => refresh(false));

  const length = Number(root.dataset.length || 0);
  const indexOf = new Map(paras.map((p, i) => [p.el, i]));
  const visible = new Set();

  function range() {
    // [first start, last end) of the paragraphs in view; a paragraph ends where the next begins
    let from = Infinity;
    let to = -Infinity;
    visible.forEach((i) => {
      from = Math.min(from, paras[i].start);
      to = Math.max(to, i + 1 < paras.length ? paras[i + 1].start : length);
    });
    return from === Infinity ? null : [from, to];
  }

  function apply() {
    const panel = document.getElementById("suggestions-panel");
    if (!panel) return;
    const items = Array.from(panel.querySelectorAll("li.suggestion"));
    const scope = panel.querySelector("#suggestions-scope");
    const toggle = panel.querySelector("#suggestions-show-all");
    const shown = range();
    let count = 0;
    for (const item of items) {
      const start = Number(item.dataset.start);
      const end = Number(item.dataset.end);
      const inView = shown !== null && start < shown[1] && end > shown[0];
      item.classList.toggle("in-view", inView);
      item.hidden = !showAll && !inView;
      if (inView) count += 1;
    }
    panel.dataset.inView = String(count);
    if (scope) {
      const template = showAll ? scope.dataset.all : count ? scope.dataset.inView : scope.dataset.none;
      scope.textContent = (template || "").replace("{count}", String(showAll ? items.length : count));
      scope.hidden = items.length === 0;
    }
    if (toggle) {
      toggle.hidden = items.length === 0;
      toggle.textContent = showAll ? toggle.dataset.inView : toggle.dataset.all;
      toggle.setAttribute("aria-pressed", String(showAll));
    }
  }

  let scheduled = false;
  function schedule() {
    if (scheduled) return;
    scheduled = true;
    requestAnimationFrame(() => {
      scheduled = false;
      apply();
    });
  }

  const observer = new IntersectionObserver(
    (entries) => {
      for (const entry of entries) {
        const index = indexOf.get(entry.target);
        if (entry.isIntersecting) visible.add(index);
        else visible.delete(index);
      }
      schedule();
    },
    { root: pane },
  );
  paras.forEach((p) => observer.observe(p.el));

  // the panel is loaded (and reloaded after a review) by htmx: filter each new copy
  document.body.addEventListener("htmx:load", (event) => {
    if (event.target && event.target.id === "suggestions-panel") apply();
  });
  document.body.addEventListener("click", (event) => {
    if (event.target && event.target.id === "suggestions-show-all") {
      showAll = !showAll;
      apply();
    }
  });
}
