// The document upload on the project home: files dropped on <label data-dropzone> are sent by its htmx form.
(function () {
  "use strict";

  document.addEventListener("DOMContentLoaded", () => {
    const zone = document.querySelector("[data-dropzone]");
    if (!zone) return;
    const input = zone.querySelector("input[type=file]");
    const form = zone.closest("form");
    ["dragenter", "dragover"].forEach((type) =>
      zone.addEventListener(type, (event) => {
        event.preventDefault();
        zone.classList.add("over");
      }),
    );
    ["dragleave", "drop"].forEach((type) =>
      zone.addEventListener(type, (event) => {
        event.preventDefault();
        zone.classList.remove("over");
      }),
    );
    zone.addEventListener("drop", (event) => {
      input.files = event.dataTransfer.files;
      htmx.trigger(form, "submit");
    });
    // An upload refused as a whole answers 413 with the results fragment: show it (htmx leaves 4xx unswapped).
    // The event fires on the swap target, which the form's outerHTML swap replaces: listen on the document.
    document.addEventListener("htmx:beforeSwap", (event) => {
      if (event.detail.xhr.status === 413 && event.detail.requestConfig.elt === form) {
        event.detail.shouldSwap = true;
        event.detail.isError = false;
      }
    });
  });
})();
