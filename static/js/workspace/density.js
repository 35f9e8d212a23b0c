/* The coding-density bar beside the scrollbar: where in the whole document the shown codings are; a click on it
 * scrolls there. Drawn once per index version (and again when the lines wrap differently). */
import { drawn } from "./highlights.js";
import { paras } from "./paragraphs.js";
import { pane, root } from "./state.js";

const BUCKETS = 120;
const densityEl = document.getElementById("density");
let densityVersion = -1;

export function drawDensity() {
  if (!densityEl || densityVersion === drawn.version) return;
  densityVersion = drawn.version;
  const total = root.scrollHeight || 1;
  const weight = new Array(BUCKETS).fill(0);
  drawn.byPara.forEach((list, i) => {
    const el = paras[i].el;
    const a = Math.floor((el.offsetTop / total) * BUCKETS);
    const b = Math.min(BUCKETS - 1, Math.floor(((el.offsetTop + el.offsetHeight) / total) * BUCKETS));
    for (let k = a; k <= b; k++) weight[k] += list.length;
  });
  const most = Math.max(1, ...weight);
  const marks = [];
  weight.forEach((w, k) => {
    if (!w) return;
    const mark = document.createElement("span");
    mark.className = "density-mark";
    mark.style.top = (k / BUCKETS) * 100 + "%";
    mark.style.height = 100 / BUCKETS + "%";
    mark.style.opacity = String(0.2 + (0.8 * w) / most);
    marks.push(mark);
  });
  densityEl.replaceChildren(...marks);
}

/** The lines wrap differently (a resize): where the codings are on the bar moves. */
export function invalidateDensity() {
  densityVersion = -1;
}

export function initDensity() {
  if (!densityEl) return;
  densityEl.addEventListener("click", (event) => {
    const box = densityEl.getBoundingClientRect();
    const share = (event.clientY - box.top) / box.height;
    pane.scrollTop = share * root.scrollHeight - pane.clientHeight / 2;
  });
}
