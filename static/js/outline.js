// The document page's outline: the paragraph a link jumps to is highlighted until the next jump.
(function () {
  "use strict";

  document.addEventListener("click", (event) => {
    const link = event.target.closest(".outline a[href^='#']");
    if (!link) return;
    document.querySelectorAll(".doc-text .target").forEach((el) => el.classList.remove("target"));
    const paragraph = document.getElementById(link.getAttribute("href").slice(1));
    if (paragraph) paragraph.classList.add("target");
  });
})();
