/* The coding workspace: highlights, coding stripes, the node picker, codings at a place, undo and team refresh.
 *
 * Highlights and stripes are drawn only for paragraphs near the viewport, so a long document with thousands
 * of codings never holds more than a few hundred highlight elements. Offsets go through offsets.js.
 * An ES module (no build step); its pure parts live in workspace/ (lanes, find, api).
 */
import * as O from "./offsets.js";
import { makeApi, format } from "./workspace/api.js";
import { findHits as searchText } from "./workspace/find.js";
import { packLanes as pack } from "./workspace/lanes.js";

const data = JSON.parse(document.getElementById("workspace-data").textContent);
const M = data.messages;
const root = document.getElementById("doc-text");
const pane = document.getElementById("text-pane");
const stripesEl = document.getElementById("stripes");
const statusEl = document.getElementById("status");
const csrf = JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"];

const nodes = new Map();
const nodeOrder = new Map();
function setNodes(list) {
  nodes.clear();
  nodeOrder.clear();
  list.forEach((n, i) => {
    nodes.set(n.id, n);
    nodeOrder.set(n.id, i);
  });
}
setNodes(data.nodes);

let codings = data.codings;
let version = 0;
const view = { layer: "all", chosen: new Set(data.coders), nodeSet: null, byCoder: false };

// Each coder a colour of their own for "colour by coder" (a fixed palette, in the order of data.coders).
const CODER_PALETTE = ["#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#b07aa1", "#76b7b2", "#edc948", "#9c755f", "#ff9da7", "#bab0ac"];
function coderColour(name) {
  const i = data.coders.indexOf(name);
  return CODER_PALETTE[(i === -1 ? data.coders.length : i) % CODER_PALETTE.length];
}
/** What a stripe lane stands for: the node, or in "colour by coder" mode the coder. */
function keyOf(c) {
  return view.byCoder ? "u:" + c.coder : c.node;
}
function keyColour(key) {
  return typeof key === "string" ? coderColour(key.slice(2)) : nodes.get(key).shade || nodes.get(key).color;
}
function keyOrder(key) {
  return typeof key === "string" ? data.coders.indexOf(key.slice(2)) : nodeOrder.get(key);
}

// --- paragraphs and which codings touch them -------------------------------------------------
const paras = Array.from(root.children).map((el) => ({
  el: el,
  start: Number(el.dataset.start),
  text: el.textContent,
  len: O.codePoints(el.textContent),
  painted: -1,
  near: false,
}));

function firstParaAt(offset) {
  let lo = 0;
  let hi = paras.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (paras[mid].start <= offset) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

function shown(c) {
  if (!nodes.has(c.node)) return false;
  if (view.layer === "mine" && c.coder !== data.me) return false;
  if (view.layer === "chosen" && !view.chosen.has(c.coder)) return false;
  return !view.nodeSet || view.nodeSet.has(c.node);
}

let byPara = new Map();
let lanes = new Map();
function reindex() {
  byPara = new Map();
  const present = new Set();
  for (const c of codings) {
    if (!shown(c)) continue;
    present.add(keyOf(c));
    for (let i = firstParaAt(c.start); i < paras.length && paras[i].start < c.end; i++) {
      if (paras[i].start + paras[i].len <= c.start && paras[i].len > 0) continue;
      if (!byPara.has(i)) byPara.set(i, []);
      byPara.get(i).push(c);
    }
  }
  lanes = packLanes(present);
  stripesEl.style.width = (Math.max(0, ...lanes.values()) + 1) * LANE + 8 + "px";
  version++;
}

// Stripe lanes: one per node shown (or coder, when colouring by coder); only beyond MAX_LANES do nodes whose
// codings never overlap share a lane. Labels are clipped to their lane and to the next stripe below them.
const MAX_LANES = 16;
const LANE = 16;
function packLanes(present) {
  const spans = new Map([...present].map((id) => [id, []]));
  for (const c of codings) if (shown(c)) spans.get(keyOf(c)).push([c.start, c.end]);
  return pack(spans, keyOrder, MAX_LANES);
}

// --- painting ----------------------------------------------------------------------------------
function colourOf(covering) {
  let best = covering[0];
  for (const c of covering) if (keyOrder(keyOf(c)) > keyOrder(keyOf(best))) best = c;
  return keyColour(keyOf(best));
}

function paint(i) {
  const p = paras[i];
  const list = (byPara.get(i) || []).filter((c) => c.end > p.start && c.start < p.start + p.len);
  if (!list.length) {
    if (p.el.childNodes.length !== 1 || p.el.firstChild.nodeType !== Node.TEXT_NODE) p.el.textContent = p.text;
    p.painted = version;
    return;
  }
  const cuts = new Set([0, p.len]);
  for (const c of list) {
    cuts.add(Math.max(0, c.start - p.start));
    cuts.add(Math.min(p.len, c.end - p.start));
  }
  const points = [...cuts].sort((a, b) => a - b);
  const units = points.map((cp) => O.unitsAt(p.text, cp));
  const fragment = document.createDocumentFragment();
  for (let k = 0; k < points.length - 1; k++) {
    const piece = p.text.slice(units[k], units[k + 1]);
    const covering = list.filter((c) => c.start - p.start <= points[k] && c.end - p.start >= points[k + 1]);
    if (!covering.length) {
      fragment.appendChild(document.createTextNode(piece));
      continue;
    }
    const span = document.createElement("span");
    span.className = new Set(covering.map(keyOf)).size > 1 ? "hl multi" : "hl";
    span.style.setProperty("--hl", colourOf(covering));
    span.dataset.codings = covering.map((c) => c.id).join(",");
    span.textContent = piece;
    fragment.appendChild(span);
  }
  p.el.replaceChildren(fragment);
  p.painted = version;
}

function unpaint(i) {
  const p = paras[i];
  if (p.painted !== -1) {
    p.el.textContent = p.text;
    p.painted = -1;
  }
}

const stripeMap = new Map();
function clearStripes(i) {
  (stripeMap.get(i) || []).forEach((el) => el.remove());
  stripeMap.delete(i);
}

function extent(p, a, b) {
  const s = O.domPoint(p.el, a);
  const e = O.domPoint(p.el, b);
  const range = document.createRange();
  range.setStart(s.node, s.offset);
  range.setEnd(e.node, e.offset);
  const rects = Array.from(range.getClientRects()).filter((r) => r.height > 0);
  if (!rects.length) return null;
  return { top: rects[0].top, bottom: rects[rects.length - 1].bottom };
}

function drawStripes(i) {
  clearStripes(i);
  const p = paras[i];
  const list = byPara.get(i);
  if (!list || !p.len) return;
  const base = stripesEl.getBoundingClientRect().top;
  const perNode = new Map();
  for (const c of list) {
    const a = Math.max(0, c.start - p.start);
    const b = Math.min(p.len, c.end - p.start);
    if (b <= a) continue;
    const box = extent(p, a, b);
    if (!box) continue;
    const key = keyOf(c);
    const seen = perNode.get(key) || { top: box.top, bottom: box.bottom, begins: false, coders: new Set(), nodes: new Set() };
    seen.top = Math.min(seen.top, box.top);
    seen.bottom = Math.max(seen.bottom, box.bottom);
    seen.begins = seen.begins || c.start >= p.start;
    seen.coders.add(c.coder);
    seen.nodes.add(c.node);
    perNode.set(key, seen);
  }
  const made = [];
  for (const [key, box] of perNode) {
    const coderLane = typeof key === "string";
    const stripe = document.createElement("div");
    stripe.className = "stripe";
    stripe.style.top = box.top - base + "px";
    stripe.style.height = Math.max(4, box.bottom - box.top) + "px";
    stripe.style.left = lanes.get(key) * LANE + "px";
    stripe.style.setProperty("--hl", keyColour(key));
    const paths = [...box.nodes].map((id) => nodes.get(id).path);
    stripe.title = coderLane ? coderLabel(key.slice(2)) + " · " + paths.join(", ") : paths[0] + " · " + [...box.coders].map(coderLabel).join(", ");
    if (!coderLane) stripe.dataset.node = key;
    stripe.dataset.lane = lanes.get(key);
    if (box.begins) {
      const label = document.createElement("span");
      label.className = "stripe-label";
      label.textContent = coderLane ? coderLabel(key.slice(2)) : nodes.get(key).name;
      stripe.appendChild(label);
    }
    stripesEl.appendChild(stripe);
    made.push(stripe);
  }
  stripeMap.set(i, made);
}

function selectedRange() {
  const sel = window.getSelection();
  return sel.rangeCount > 0 && !sel.isCollapsed ? sel.getRangeAt(0) : null;
}

function refreshNear() {
  // Repainting a paragraph replaces its text nodes, which would lose a selection inside it.
  const selection = selectedRange();
  const untouchable = (p) => selection !== null && selection.intersectsNode(p.el);
  paras.forEach((p, i) => {
    if (p.near) {
      if (p.painted !== version && !untouchable(p)) paint(i);
    } else if (p.painted !== -1 && !untouchable(p)) {
      unpaint(i);
    }
  });
  stripeMap.forEach((_els, i) => {
    if (!paras[i].near) clearStripes(i);
  });
  paras.forEach((p, i) => {
    if (p.near) drawStripes(i);
  });
  fitLabels();
  markPending();
  markFind();
  drawDensity();
}

// A label may run down its lane until the next stripe of that lane begins; never into a neighbour's box.
function fitLabels() {
  const byLane = new Map();
  for (const el of stripesEl.querySelectorAll(".stripe")) {
    const lane = el.dataset.lane;
    if (!byLane.has(lane)) byLane.set(lane, []);
    byLane.get(lane).push({ el: el, top: parseFloat(el.style.top) });
  }
  for (const list of byLane.values()) {
    list.sort((a, b) => a.top - b.top);
    list.forEach((item, k) => {
      const label = item.el.querySelector(".stripe-label");
      if (!label) return;
      const next = k + 1 < list.length ? list[k + 1].top : Infinity;
      label.style.maxHeight = Math.max(0, Math.min(160, next - item.top - 3)) + "px";
    });
  }
}

// The coding-density bar beside the scrollbar: where in the whole document the shown codings are.
const densityEl = document.getElementById("density");
let densityVersion = -1;
function drawDensity() {
  if (!densityEl || densityVersion === version) return;
  densityVersion = version;
  const total = root.scrollHeight || 1;
  const BUCKETS = 120;
  const weight = new Array(BUCKETS).fill(0);
  byPara.forEach((list, i) => {
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
if (densityEl) {
  densityEl.addEventListener("click", (event) => {
    const box = densityEl.getBoundingClientRect();
    const share = (event.clientY - box.top) / box.height;
    pane.scrollTop = share * root.scrollHeight - pane.clientHeight / 2;
  });
}

let scheduled = false;
function schedule() {
  if (scheduled) return;
  scheduled = true;
  requestAnimationFrame(() => {
    scheduled = false;
    refreshNear();
  });
}

const observer = new IntersectionObserver(
  (entries) => {
    for (const entry of entries) paras[Number(entry.target.dataset.index)].near = entry.isIntersecting;
    schedule();
  },
  { root: pane, rootMargin: "600px 0px" },
);
paras.forEach((p, i) => {
  p.el.dataset.index = i;
  observer.observe(p.el);
});
window.addEventListener("resize", () => {
  densityVersion = -1; // the lines wrap differently: where the codings are on the bar moves
  schedule();
});
document.fonts && document.fonts.ready.then(schedule);

function rerender() {
  reindex();
  schedule();
}

function coderLabel(name) {
  return (data.coderLabels || {})[name] || name;
}

// --- talking to the API ------------------------------------------------------------------------
// Times on the page are in the project's time zone (settings.TIME_ZONE), as the server writes them.
const clock = new Intl.DateTimeFormat("en-GB", { timeZone: data.timeZone || undefined, hour: "2-digit", minute: "2-digit", hourCycle: "h23" });

// The status line is fixed at the bottom of the window and keeps the last message (with its time) in view.
function say(message, isError) {
  const when = clock.format(new Date());
  statusEl.textContent = message + " · " + when;
  statusEl.hidden = false;
  statusEl.classList.toggle("error", Boolean(isError));
  statusEl.setAttribute("role", isError ? "alert" : "status");
}

// The side tree's counts: the tree panel reloads itself (htmx) on codebook-changed.
let treeTimer = null;
function countsChanged() {
  clearTimeout(treeTimer);
  treeTimer = setTimeout(() => window.htmx && htmx.trigger(document.body, "codebook-changed"), 150);
}

const api = makeApi(csrf, M.failed);

function codingUrl(id) {
  return data.urls.coding.replace(/0\/$/, id + "/");
}

function merge(list) {
  const byId = new Map(codings.map((c) => [c.id, c]));
  for (const c of list) byId.set(c.id, { id: c.id, node: c.node, coder: c.coder, start: c.start, end: c.end, memo: c.memo, created_at: c.created_at });
  codings = [...byId.values()].sort((a, b) => a.start - b.start || a.end - b.end || a.id - b.id);
}

async function code(nodeIds, span) {
  if (!span) return say(M.nothing, true);
  if (!nodeIds.length) return say(M.choose, true);
  try {
    // span.hits: every hit of a find at once, sent as one list (one batch in the audit trail: one undo)
    const spans = span.hits || [span];
    const body = nodeIds.flatMap((id) => spans.map((s) => ({ document: data.document, node: id, start: s.start, end: s.end })));
    merge(await api("POST", data.urls.write || data.urls.codings, body));
    lastSignature = signature(codings);
    remember(nodeIds);
    closePicker(false);
    window.getSelection().removeAllRanges();
    rerender();
    countsChanged();
    const names = nodeIds.map((id) => nodes.get(id).name).join("、");
    say(span.hits ? format(M.codedHits, { count: spans.length, nodes: names }) : format(M.codedAt, { nodes: names }));
  } catch (error) {
    say(error.message, true);
  }
}

let lastSignature = "";
function signature(list) {
  return list.map((c) => c.id + ":" + c.node + ":" + c.memo.length).join(",");
}
lastSignature = signature(codings);

async function refresh(announce) {
  try {
    const fresh = await api("GET", data.urls.codings + "?compact=1&document=" + data.document);
    const sig = signature(fresh);
    if (sig !== lastSignature) {
      const known = new Set(codings.map((c) => c.id));
      const theirs = fresh.filter((c) => !known.has(c.id) && c.coder !== data.me);
      lastSignature = sig;
      codings = fresh;
      if (fresh.some((c) => !nodes.has(c.node))) await reloadNodes();
      rerender();
      countsChanged();
      if (announce && theirs.length) {
        const names = [...new Set(theirs.map((c) => coderLabel(c.coder)))].join("、");
        say(format(M.fromTeam, { count: theirs.length, names: names }));
      }
    }
  } catch (error) {
    say(error.message, true);
  }
}

async function reloadNodes() {
  const list = await api("GET", data.urls.nodes);
  setNodes(list.map((n) => ({ id: n.id, parent: n.parent, name: n.name, path: n.path, color: n.color })));
}

async function undo() {
  try {
    await api("POST", data.urls.undo);
    lastSignature = null; // whatever the feed says now is news (an empty list's signature is "")
    await refresh(false);
    countsChanged();
    say(M.undone);
  } catch (error) {
    say(error.message, true);
  }
}

// --- selection and the node picker ---------------------------------------------------------------
const picker = document.getElementById("picker");
const search = document.getElementById("picker-search");
const listEl = document.getElementById("picker-list");
const recentEl = document.getElementById("picker-recent");
let pending = null;
let dragging = null;
let dragEnded = false;
let items = [];
let active = 0;
const ticked = new Set();
const recentKey = "policycoder-recent-" + data.project;

function recent() {
  try {
    return JSON.parse(localStorage.getItem(recentKey) || "[]").filter((id) => nodes.has(id));
  } catch (_e) {
    return [];
  }
}

function remember(ids) {
  const list = [...ids, ...recent().filter((id) => !ids.includes(id))].slice(0, 9);
  localStorage.setItem(recentKey, JSON.stringify(list));
}

function selectionSpan() {
  const sel = window.getSelection();
  if (!sel.rangeCount || sel.isCollapsed) return null;
  const range = sel.getRangeAt(0);
  if (!range.intersectsNode(root)) return null;
  const span = O.rangeOffsets(root, range);
  if (!span) return null;
  const quote = sel.toString();
  if (!quote.trim()) return null;
  return { start: span.start, end: span.end, quote: quote, rect: range.getBoundingClientRect(), fromText: true };
}

function swatch(color) {
  const s = document.createElement("span");
  s.className = "swatch";
  s.style.background = color;
  return s;
}

function renderPicker() {
  const query = search.value.trim().toLowerCase();
  // a node that only organizes others (REFI isCodable="false") is not offered
  items = [...nodes.values()]
    .filter((n) => n.codable !== false && (!query || n.path.toLowerCase().includes(query)))
    .slice(0, 60);
  active = Math.min(active, Math.max(0, items.length - 1));
  listEl.replaceChildren(
    ...items.map((n, i) => {
      const li = document.createElement("li");
      li.setAttribute("role", "option");
      li.dataset.nodeId = n.id;
      li.className = (i === active ? "active " : "") + (ticked.has(n.id) ? "ticked" : "");
      li.setAttribute("aria-selected", ticked.has(n.id) ? "true" : "false");
      li.append(swatch(n.color), document.createTextNode(n.path));
      return li;
    }),
  );
  const recents = recent();
  recentEl.replaceChildren(
    ...recents.map((id, i) => {
      const li = document.createElement("li");
      li.dataset.nodeId = id;
      const key = document.createElement("kbd");
      key.textContent = String(i + 1);
      li.append(key, swatch(nodes.get(id).color), document.createTextNode(nodes.get(id).name));
      return li;
    }),
  );
  const current = listEl.children[active];
  if (current) current.scrollIntoView({ block: "nearest" });
}

// --- the pending range: the selection the picker works on, kept visible while focus is in the picker --------
/** A DOM Range for code points [start, end) of the document (null when the text does not hold them). */
function rangeFor(start, end) {
  if (!paras.length || end <= start) return null;
  const first = paras[firstParaAt(start)];
  const last = paras[firstParaAt(Math.max(start, end - 1))];
  const s = O.domPoint(first.el, Math.max(0, start - first.start));
  const e = O.domPoint(last.el, Math.min(last.len, end - last.start));
  const range = document.createRange();
  range.setStart(s.node, s.offset);
  range.setEnd(e.node, e.offset);
  return range;
}

function selectSpan(start, end) {
  const range = rangeFor(start, end);
  if (!range) return;
  const sel = window.getSelection();
  sel.removeAllRanges();
  sel.addRange(range);
}

// Drawn with the CSS Custom Highlight API (no elements added, so painting and offsets are untouched).
let marked = null;
function markPending() {
  if (!window.CSS || !CSS.highlights) return;
  const span = pending || dragging;
  if (!span) {
    if (marked) CSS.highlights.delete("pc-pending");
    marked = null;
    return;
  }
  const range = rangeFor(span.start, span.end);
  if (range) CSS.highlights.set("pc-pending", new Highlight(range));
  marked = span;
}

function openPicker(span, anchorRect) {
  pending = span;
  markPending();
  ticked.clear();
  active = 0;
  search.value = "";
  document.getElementById("picker-quote").textContent = span.quote.length > 80 ? span.quote.slice(0, 80) + "…" : span.quote;
  picker.hidden = false;
  const rect = anchorRect || span.rect;
  const top = Math.min(window.innerHeight - picker.offsetHeight - 8, rect.bottom + 6);
  const left = Math.min(window.innerWidth - picker.offsetWidth - 8, Math.max(8, rect.left));
  picker.style.top = Math.max(8, top) + "px";
  picker.style.left = left + "px";
  renderPicker();
  search.focus({ preventScroll: true });
}

/** Close the picker; with `restore` the pending range becomes the text selection again (Esc, Cancel). */
function closePicker(restore) {
  const span = pending;
  picker.hidden = true;
  pending = null;
  markPending();
  if (restore && span && span.fromText) {
    root.focus({ preventScroll: true });
    selectSpan(span.start, span.end);
  } else if (restore && span && span.hits) {
    findInput.focus();
  }
}

function chosenIds() {
  if (ticked.size) return [...ticked];
  return items[active] ? [items[active].id] : [];
}

function onSelectionDone() {
  if (!data.canCode || !picker.hidden || dragging || dragEnded) return;
  const span = selectionSpan();
  if (span) openPicker(span);
}

if (data.canCode) {
  document.addEventListener("mouseup", (event) => {
    if (picker.contains(event.target) || event.target.closest("#node-tree, #find-bar, #shortcuts")) return;
    setTimeout(onSelectionDone, 0);
  });
  search.addEventListener("input", () => {
    active = 0;
    renderPicker();
  });
  search.addEventListener("keydown", (event) => {
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      active = Math.max(0, Math.min(items.length - 1, active + (event.key === "ArrowDown" ? 1 : -1)));
      renderPicker();
      event.preventDefault();
    } else if (event.key === " " && !search.value) {
      const n = items[active];
      if (n) ticked.has(n.id) ? ticked.delete(n.id) : ticked.add(n.id);
      renderPicker();
      event.preventDefault();
    } else if (event.key === "Enter") {
      event.preventDefault();
      code(chosenIds(), pending);
    } else if (event.key === "Escape") {
      event.preventDefault();
      closePicker(true);
    } else if (/^[1-9]$/.test(event.key) && !search.value) {
      const id = recent()[Number(event.key) - 1];
      if (id !== undefined) {
        event.preventDefault();
        code([id], pending);
      }
    }
  });
  listEl.addEventListener("click", (event) => {
    const li = event.target.closest("li[data-node-id]");
    if (!li) return;
    const id = Number(li.dataset.nodeId);
    if (event.ctrlKey || event.metaKey || event.shiftKey) {
      ticked.has(id) ? ticked.delete(id) : ticked.add(id);
      renderPicker();
    } else {
      code([...new Set([...ticked, id])], pending);
    }
  });
  recentEl.addEventListener("click", (event) => {
    const li = event.target.closest("li[data-node-id]");
    if (li) code([Number(li.dataset.nodeId)], pending);
  });
  document.getElementById("picker-code").addEventListener("click", () => code(chosenIds(), pending));
  document.getElementById("picker-cancel").addEventListener("click", () => closePicker(true));
  const newButton = document.getElementById("picker-new");
  if (newButton) {
    newButton.addEventListener("click", async () => {
      const name = document.getElementById("picker-new-name").value.trim();
      if (!name) return;
      const parent = items[active] ? items[active].id : null;
      try {
        const created = await api("POST", data.urls.nodes, { name: name, parent: parent });
        await reloadNodes();
        htmx.trigger(document.body, "codebook-changed");
        code([created.id], pending);
      } catch (error) {
        say(error.message, true);
      }
    });
  }

  // "Code this article" from the outline.
  document.querySelectorAll(".code-section").forEach((button) =>
    button.addEventListener("click", () => {
      const start = Number(button.dataset.start);
      const end = Number(button.dataset.end);
      const label = button.previousElementSibling ? button.previousElementSibling.textContent : "";
      openPicker({ start: start, end: end, quote: label }, button.getBoundingClientRect());
    }),
  );

  // Drag the selection (or the pending range) onto a node of the codebook tree with the mouse. A press inside
  // the selection starts it; the browser's own text drag is not used (it cannot drop on the tree's links).
  const ghost = document.createElement("div");
  ghost.className = "drag-ghost";
  ghost.hidden = true;
  document.body.appendChild(ghost);
  let press = null;
  function inside(range, x, y) {
    return range && [...range.getClientRects()].some((r) => x >= r.left && x <= r.right && y >= r.top && y <= r.bottom);
  }
  root.addEventListener("mousedown", (event) => {
    if (event.button !== 0) return;
    const sel = window.getSelection();
    let span = null;
    if (sel.rangeCount && !sel.isCollapsed && inside(sel.getRangeAt(0), event.clientX, event.clientY)) span = selectionSpan();
    else if (pending && inside(rangeFor(pending.start, pending.end), event.clientX, event.clientY)) span = pending;
    if (!span) return;
    event.preventDefault();
    press = { span: { start: span.start, end: span.end, quote: span.quote, fromText: true }, x: event.clientX, y: event.clientY };
  });
  function rowAt(x, y) {
    const el = document.elementFromPoint(x, y);
    return el ? el.closest("#node-tree [data-node-id]") : null;
  }
  let over = null;
  document.addEventListener("mousemove", (event) => {
    if (!press) return;
    if (!dragging) {
      if (Math.abs(event.clientX - press.x) + Math.abs(event.clientY - press.y) < 5) return;
      dragging = press.span;
      closePicker(false);
      markPending();
      ghost.textContent = dragging.quote.length > 24 ? dragging.quote.slice(0, 24) + "…" : dragging.quote;
      ghost.hidden = false;
      document.body.classList.add("dragging-selection");
    }
    ghost.style.left = event.clientX + 12 + "px";
    ghost.style.top = event.clientY + 12 + "px";
    const row = rowAt(event.clientX, event.clientY);
    if (row !== over) {
      if (over) over.classList.remove("drop-target");
      if (row) row.classList.add("drop-target");
      over = row;
    }
  });
  document.addEventListener("mouseup", (event) => {
    if (!press) return;
    const span = dragging;
    press = null;
    if (!span) {
      // a click inside the selection, no drag: put the caret there, as a click in text does
      const at = document.caretRangeFromPoint && document.caretRangeFromPoint(event.clientX, event.clientY);
      if (at && root.contains(at.startContainer)) window.getSelection().collapse(at.startContainer, at.startOffset);
      return;
    }
    dragging = null;
    dragEnded = true;
    setTimeout(() => (dragEnded = false), 0);
    ghost.hidden = true;
    document.body.classList.remove("dragging-selection");
    if (over) over.classList.remove("drop-target");
    over = null;
    markPending();
    const row = rowAt(event.clientX, event.clientY);
    if (row) code([Number(row.dataset.nodeId)], span);
    else selectSpan(span.start, span.end);
  }, true);

  document.getElementById("undo-button").addEventListener("click", undo);
  document.addEventListener("keydown", (event) => {
    const typing = event.target.closest && event.target.closest("input, textarea, select");
    if ((event.ctrlKey || event.metaKey) && event.key.toLowerCase() === "z" && !event.shiftKey && !typing) {
      event.preventDefault();
      undo();
    }
  });

  // Keyboard selection in the text: arrows move a caret, Shift+arrows extend the selection (Ctrl: by word),
  // Home/End to the line's ends; Enter opens the picker on the selection.
  const MOVES = { ArrowLeft: ["backward", "character"], ArrowRight: ["forward", "character"], ArrowUp: ["backward", "line"], ArrowDown: ["forward", "line"], Home: ["backward", "lineboundary"], End: ["forward", "lineboundary"] };
  root.addEventListener("keydown", (event) => {
    const sel = window.getSelection();
    if (MOVES[event.key] && !event.altKey && !event.metaKey) {
      event.preventDefault();
      if (!sel.rangeCount || !root.contains(sel.anchorNode)) {
        const first = paras.find((p) => p.el.getBoundingClientRect().bottom > pane.getBoundingClientRect().top) || paras[0];
        const at = O.domPoint(first.el, 0);
        sel.collapse(at.node, at.offset);
      }
      const [direction, unit] = MOVES[event.key];
      sel.modify(event.shiftKey ? "extend" : "move", direction, event.ctrlKey && unit === "character" ? "word" : unit);
    } else if (event.key === "Enter" && !sel.isCollapsed) {
      event.preventDefault();
      onSelectionDone();
    }
  });
}

// Shortcuts help on "?", closed with Esc or its button.
const help = document.getElementById("shortcuts");
function toggleHelp(open) {
  help.hidden = !open;
  if (open) help.querySelector("button").focus();
  else root.focus({ preventScroll: true });
}
document.addEventListener("keydown", (event) => {
  const typing = event.target.closest && event.target.closest("input, textarea, select");
  if (event.key === "?" && !typing) {
    event.preventDefault();
    toggleHelp(help.hidden);
  } else if (event.key === "Escape" && !help.hidden) {
    toggleHelp(false);
  }
});
help.querySelector("button").addEventListener("click", () => toggleHelp(false));
document.getElementById("help-button").addEventListener("click", () => toggleHelp(true));

document.addEventListener("mousedown", (event) => {
  if (!picker.hidden && !picker.contains(event.target) && !dragging) closePicker(false);
});

// --- find in the document -------------------------------------------------------------------------
// Hits are code-point spans within one line; drawn with the CSS Custom Highlight API for lines near the view.
const findBar = document.getElementById("find-bar");
const findInput = document.getElementById("find-input");
const findCount = document.getElementById("find-count");
const findCode = document.getElementById("find-code");
const MAX_HITS = 500;
let hits = [];
let hitAt = -1;

function findHits(query) {
  return searchText(paras, query, MAX_HITS);
}

function markFind() {
  if (!window.CSS || !CSS.highlights) return;
  CSS.highlights.delete("pc-find");
  CSS.highlights.delete("pc-find-current");
  if (findBar.hidden || !hits.length) return;
  const near = hits.filter((h) => paras[firstParaAt(h.start)].near).map((h) => rangeFor(h.start, h.end)).filter(Boolean);
  CSS.highlights.set("pc-find", new Highlight(...near));
  if (hitAt >= 0) {
    const range = rangeFor(hits[hitAt].start, hits[hitAt].end);
    if (range) CSS.highlights.set("pc-find-current", new Highlight(range));
  }
}

function showFindCount() {
  if (!findInput.value) findCount.textContent = "";
  else if (!hits.length) findCount.textContent = M.noHits;
  else findCount.textContent = format(hits.length > MAX_HITS ? M.hitsMany : M.hits, { at: hitAt + 1, count: Math.min(hits.length, MAX_HITS) });
  if (findCode) findCode.disabled = !hits.length || hits.length > MAX_HITS;
}

function runFind() {
  hits = findHits(findInput.value);
  hitAt = hits.length ? 0 : -1;
  if (hitAt === 0) goToHit();
  showFindCount();
  markFind();
}

function goToHit() {
  const p = paras[firstParaAt(hits[hitAt].start)];
  const box = p.el.getBoundingClientRect();
  const view = pane.getBoundingClientRect();
  if (box.top < view.top + 40 || box.bottom > view.bottom - 40) p.el.scrollIntoView({ block: "center" });
  showFindCount();
  schedule();
  markFind();
}

function step(by) {
  if (!hits.length) return;
  hitAt = (hitAt + by + Math.min(hits.length, MAX_HITS)) % Math.min(hits.length, MAX_HITS);
  goToHit();
}

function openFind() {
  const sel = window.getSelection();
  const chosen = sel.rangeCount && !sel.isCollapsed && root.contains(sel.anchorNode) ? sel.toString().trim() : "";
  findBar.hidden = false;
  if (chosen && !chosen.includes("\n") && chosen.length <= 200) findInput.value = chosen;
  findInput.focus();
  findInput.select();
  runFind();
}

function closeFind() {
  findBar.hidden = true;
  hits = [];
  hitAt = -1;
  markFind();
  root.focus({ preventScroll: true });
}

let findTimer = null;
findInput.addEventListener("input", () => {
  clearTimeout(findTimer);
  findTimer = setTimeout(runFind, 120);
});
findInput.addEventListener("keydown", (event) => {
  if (event.key === "Enter") {
    event.preventDefault();
    clearTimeout(findTimer);
    if (hits.length === 0 || findHits(findInput.value).length !== hits.length) runFind();
    else step(event.shiftKey ? -1 : 1);
  } else if (event.key === "Escape") {
    event.preventDefault();
    closeFind();
  }
});
document.getElementById("find-next").addEventListener("click", () => step(1));
document.getElementById("find-prev").addEventListener("click", () => step(-1));
document.getElementById("find-close").addEventListener("click", closeFind);
document.getElementById("find-button").addEventListener("click", openFind);
document.addEventListener("keydown", (event) => {
  if ((event.ctrlKey || event.metaKey) && event.key.toLowerCase() === "f" && !event.shiftKey && !event.altKey) {
    event.preventDefault();
    openFind();
  }
});
if (findCode) {
  findCode.addEventListener("click", () => {
    if (!hits.length || hits.length > MAX_HITS) return;
    const quote = format(M.allHits, { count: hits.length, query: findInput.value });
    openPicker({ start: hits[0].start, end: hits[0].end, hits: hits.slice(), quote: quote }, findCode.getBoundingClientRect());
  });
}

// --- codings at a place --------------------------------------------------------------------------
const herePanel = document.getElementById("here-panel");
const hereList = document.getElementById("here-list");

function showHere(offset) {
  const here = codings.filter((c) => shown(c) && c.start <= offset && offset < c.end);
  // plain text: no card at all (an empty one made the column jump)
  herePanel.hidden = !here.length;
  hereList.replaceChildren(...here.map(hereItem));
}

/** "2026-12-07 12:03": the server sends times already in the project's time zone (TIME_ZONE). */
function localTime(iso) {
  return (iso || "").slice(0, 16).replace("T", " ");
}

function hereItem(c) {
  const node = nodes.get(c.node);
  const li = document.createElement("li");
  li.dataset.codingId = c.id;
  const head = document.createElement("div");
  head.append(swatch(node.color), document.createTextNode(node.path));
  const meta = document.createElement("div");
  meta.className = "muted small";
  meta.textContent = M.by + " " + coderLabel(c.coder) + " · " + localTime(c.created_at) + " · " + c.start + "–" + c.end;
  li.append(head, meta);
  if (c.memo) {
    const memo = document.createElement("div");
    memo.className = "memo";
    memo.textContent = c.memo;
    li.append(memo);
  }
  const mayChange = data.canCode && (c.coder === data.me || data.role === "owner" || (data.adjudicator && c.coder === data.consensusName));
  if (mayChange) li.append(hereActions(c));
  return li;
}

function hereActions(c) {
  const box = document.createElement("div");
  box.className = "here-actions";
  const remove = document.createElement("button");
  remove.type = "button";
  remove.className = "link danger";
  remove.textContent = M.remove;
  remove.addEventListener("click", async () => {
    try {
      await api("DELETE", codingUrl(c.id));
      codings = codings.filter((x) => x.id !== c.id);
      lastSignature = signature(codings);
      rerender();
      countsChanged();
      herePanel.hidden = true;
      say(M.removed);
    } catch (error) {
      say(error.message, true);
    }
  });
  const move = document.createElement("select");
  move.setAttribute("aria-label", M.move);
  move.append(new Option(M.move, ""));
  for (const n of nodes.values()) if (n.id !== c.node && n.codable !== false) move.append(new Option(n.path, n.id));
  move.addEventListener("change", () => move.value && patch(c, { node: Number(move.value) }, M.moved));
  const memo = document.createElement("textarea");
  memo.rows = 2;
  memo.value = c.memo;
  memo.placeholder = M.memo;
  memo.setAttribute("aria-label", M.memo);
  const save = document.createElement("button");
  save.type = "button";
  save.textContent = M.save;
  save.addEventListener("click", () => patch(c, { memo: memo.value }, M.memoSaved));
  box.append(remove, move, memo, save);
  return box;
}

async function patch(c, change, message) {
  try {
    merge([await api("PATCH", codingUrl(c.id), change)]);
    lastSignature = signature(codings);
    rerender();
    if (change.node !== undefined) countsChanged();
    herePanel.hidden = true;
    say(message);
  } catch (error) {
    say(error.message, true);
  }
}

root.addEventListener("click", () => {
  const sel = window.getSelection();
  if (!sel.rangeCount || !sel.isCollapsed || !root.contains(sel.anchorNode)) return;
  showHere(O.pointOffset(root, sel.anchorNode, sel.anchorOffset));
});

// --- layers, filters, refresh --------------------------------------------------------------------
const layerSelect = document.getElementById("layer-select");
const coderChoice = document.getElementById("coder-choice");
layerSelect.addEventListener("change", () => {
  view.layer = layerSelect.value;
  coderChoice.hidden = view.layer !== "chosen";
  rerender();
});
const byCoder = document.getElementById("colour-by-coder");
byCoder.addEventListener("change", () => {
  view.byCoder = byCoder.checked;
  rerender();
});
coderChoice.addEventListener("change", () => {
  view.chosen = new Set([...coderChoice.querySelectorAll("input:checked")].map((i) => i.value));
  rerender();
});
document.getElementById("node-filter").addEventListener("change", (event) => {
  const id = Number(event.target.value);
  if (!id) {
    view.nodeSet = null;
  } else {
    view.nodeSet = new Set([id]);
    let grew = true;
    while (grew) {
      grew = false;
      for (const n of nodes.values()) {
        if (n.parent !== null && view.nodeSet.has(n.parent) && !view.nodeSet.has(n.id)) {
          view.nodeSet.add(n.id);
          grew = true;
        }
      }
    }
  }
  rerender();
});
document.getElementById("refresh-button").addEventListener("click", () => refresh(true));
window.addEventListener("focus", () => refresh(true));
setInterval(() => document.visibilityState === "visible" && refresh(true), 5000);

// A link like #at-120-180 (from the node view) shows and selects that passage.
function goToHash() {
  const match = /^#at-(\d+)-(\d+)$/.exec(location.hash);
  if (!match) return;
  const start = Number(match[1]);
  const end = Number(match[2]);
  if (end <= start || end > Number(root.dataset.length)) return;
  const first = paras[firstParaAt(start)];
  first.el.scrollIntoView({ block: "center" });
  // selected and focused: ready to code (Enter opens the picker, or drag it onto a node)
  requestAnimationFrame(() => {
    root.focus({ preventScroll: true });
    selectSpan(start, end);
  });
}

rerender();
goToHash();
window.addEventListener("hashchange", goToHash);
window.PolicyCoderWorkspace = { refresh: refresh, codings: () => codings, paint: refreshNear, select: selectSpan };
