/* "Codings here": a click in the text lists the shown codings at that point, with who coded them and when, the
 * memo, and (for whoever may change them) remove, move to another node and edit the memo. */
import * as O from "../offsets.js";
import { patch, remove } from "./codings.js";
import { swatch } from "./colours.js";
import { M, coderLabel, data, nodes, root, shown, store } from "./state.js";

const herePanel = document.getElementById("here-panel");
const hereList = document.getElementById("here-list");

function showHere(offset) {
  const here = store.codings.filter((c) => shown(c) && c.start <= offset && offset < c.end);
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

async function changed(done) {
  if (await done) herePanel.hidden = true;
}

function hereActions(c) {
  const box = document.createElement("div");
  box.className = "here-actions";
  const removeButton = document.createElement("button");
  removeButton.type = "button";
  removeButton.className = "link danger";
  removeButton.textContent = M.remove;
  removeButton.addEventListener("click", () => changed(remove(c)));
  const move = document.createElement("select");
  move.setAttribute("aria-label", M.move);
  move.append(new Option(M.move, ""));
  for (const n of nodes.values()) if (n.id !== c.node && n.codable !== false) move.append(new Option(n.path, n.id));
  move.addEventListener("change", () => move.value && changed(patch(c, { node: Number(move.value) }, M.moved)));
  const memo = document.createElement("textarea");
  memo.rows = 2;
  memo.value = c.memo;
  memo.placeholder = M.memo;
  memo.setAttribute("aria-label", M.memo);
  const save = document.createElement("button");
  save.type = "button";
  save.textContent = M.save;
  save.addEventListener("click", () => changed(patch(c, { memo: memo.value }, M.memoSaved)));
  box.append(removeButton, move, memo, save);
  return box;
}

export function initHere() {
  root.addEventListener("click", () => {
    const sel = window.getSelection();
    if (!sel.rangeCount || !sel.isCollapsed || !root.contains(sel.anchorNode)) return;
    showHere(O.pointOffset(root, sel.anchorNode, sel.anchorOffset));
  });
}
