/* The coding page's suggestions panel.

   1. It follows the text in view: as the reader scrolls the document, the panel lists the suggestions whose unit
      (article, item or paragraph) overlaps the paragraphs in view; "Show all" lists every suggestion of the document.
      It watches the document's paragraphs (<p data-start> in #doc-text) with its own IntersectionObserver, so the
      workspace script needs no change.
   2. After a suggestion is accepted there (htmx fires codings-changed), the workspace redraws its codings at once
      instead of at its next poll. */
(function () {
  "use strict";
  const pane = document.getElementById("text-pane");
  const text = document.getElementById("doc-text");
  let showAll = false;

  document.body.addEventListener("codings-changed", () => {
    if (window.PolicyCoderWorkspace) window.PolicyCoderWorkspace.refresh(false);
  });
  if (!pane || !text || !("IntersectionObserver" in window)) return;

  const paras = Array.from(text.querySelectorAll(":scope > p[data-start]"));
  const length = Number(text.dataset.length || 0);
  const visible = new Set();

  function range() {
    // [first start, last end) of the paragraphs in view; a paragraph ends where the next begins
    let from = Infinity;
    let to = -Infinity;
    visible.forEach((i) => {
      from = Math.min(from, Number(paras[i].dataset.start));
      to = Math.max(to, i + 1 < paras.length ? Number(paras[i + 1].dataset.start) : length);
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
        const index = paras.indexOf(entry.target);
        if (entry.isIntersecting) visible.add(index);
        else visible.delete(index);
      }
      schedule();
    },
    { root: pane },
  );
  paras.forEach((p) => observer.observe(p));

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
})();
