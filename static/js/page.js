// Behaviours every page shares, declared in the markup (the Content-Security-Policy allows no inline handlers):
//   <form data-confirm="Question?">   asks before it is submitted;
//   <select data-autosubmit>          submits its form when changed;
//   <input type="checkbox" data-tick-all>  ticks or unticks every checkbox in the body of its table.
(function () {
  "use strict";

  document.addEventListener(
    "submit",
    (event) => {
      const form = event.target.closest("form[data-confirm]");
      if (form && !window.confirm(form.dataset.confirm)) {
        event.preventDefault();
        event.stopImmediatePropagation();
      }
    },
    true,
  );

  document.addEventListener("change", (event) => {
    const target = event.target;
    if (target.matches("select[data-autosubmit]") && target.form) {
      target.form.requestSubmit();
    } else if (target.matches("input[type=checkbox][data-tick-all]")) {
      const table = target.closest("table");
      if (!table) return;
      table.querySelectorAll("tbody input[type=checkbox]").forEach((box) => {
        box.checked = target.checked;
      });
    }
  });
})();
