/* The coding page's suggestions panel: after a suggestion is accepted there (htmx fires codings-changed), the
   workspace redraws its codings at once instead of at its next poll. */
(function () {
  "use strict";
  document.body.addEventListener("codings-changed", () => {
    if (window.PolicyCoderWorkspace) window.PolicyCoderWorkspace.refresh(false);
  });
})();
