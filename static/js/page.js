// Behaviours every page shares, declared in the markup (the Content-Security-Policy allows no inline handlers):
//   <form data-confirm="Question?">   asks before it is submitted;
//   <select data-autosubmit>          submits its form when changed;
//   <input type="checkbox" data-tick-all>  ticks or unticks every checkbox in the body of its table;
//   <details class="nav-group">       one nav drop-down open at a time, closed by Esc or a click elsewhere;
//   and for printing, every closed <details> of the page opens (its content would not print) and closes after.
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

  function closeMenus(except) {
    document.querySelectorAll("details.nav-group[open]").forEach((menu) => {
      if (menu !== except) menu.removeAttribute("open");
    });
  }
  document.addEventListener(
    "toggle",
    (event) => {
      if (event.target.matches && event.target.matches("details.nav-group") && event.target.open) {
        closeMenus(event.target);
      }
    },
    true,
  );
  document.addEventListener("click", (event) => {
    if (!event.target.closest("details.nav-group")) closeMenus(null);
  });
  document.addEventListener("keydown", (event) => {
    if (event.key !== "Escape") return;
    const open = document.querySelector("details.nav-group[open]");
    if (open) {
      open.removeAttribute("open");
      open.querySelector("summary").focus();
    }
  });

  let openedForPrint = [];
  window.addEventListener("beforeprint", () => {
    openedForPrint = Array.from(document.querySelectorAll("main details:not([open])"));
    openedForPrint.forEach((details) => details.setAttribute("open", ""));
  });
  window.addEventListener("afterprint", () => {
    openedForPrint.forEach((details) => details.removeAttribute("open"));
    openedForPrint = [];
  });
})();
