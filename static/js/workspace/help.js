/* The keyboard shortcuts help: "?" (or its button) shows and hides it, Esc or its Close button closes it. */
import { typing } from "./keyboard.js";
import { root } from "./state.js";

const help = document.getElementById("shortcuts");

function toggleHelp(open) {
  help.hidden = !open;
  if (open) help.querySelector("button").focus();
  else root.focus({ preventScroll: true });
}

export function initHelp() {
  document.addEventListener("keydown", (event) => {
    if (event.key === "?" && !typing(event)) {
      event.preventDefault();
      toggleHelp(help.hidden);
    } else if (event.key === "Escape" && !help.hidden) {
      toggleHelp(false);
    }
  });
  help.querySelector("button").addEventListener("click", () => toggleHelp(false));
  document.getElementById("help-button").addEventListener("click", () => toggleHelp(true));
}
