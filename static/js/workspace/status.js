/* The status line, fixed at the bottom of the window: it keeps the last message, with its time, in view. */
import { data } from "./state.js";

const statusEl = document.getElementById("status");
// Times on the page are in the project's time zone (settings.TIME_ZONE), as the server writes them.
const clock = new Intl.DateTimeFormat("en-GB", { timeZone: data.timeZone || undefined, hour: "2-digit", minute: "2-digit", hourCycle: "h23" });

/** Show `message` (an error as an alert). */
export function say(message, isError) {
  const when = clock.format(new Date());
  statusEl.textContent = message + " · " + when;
  statusEl.hidden = false;
  statusEl.classList.toggle("error", Boolean(isError));
  statusEl.setAttribute("role", isError ? "alert" : "status");
}
