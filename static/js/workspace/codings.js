/* Codings through the JSON API: code a span, refresh from the team's feed, undo, change or remove one. Each
 * operation updates the state, redraws, and says what happened (or the server's {"detail"}) on the status line. */
import { format, makeApi } from "./api.js";
import { rerender } from "./render.js";
import { M, coderLabel, data, mergeCodings, nodes, setCodings, setNodes, signature, store } from "./state.js";
import { say } from "./status.js";

const csrf = JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"];
export const api = makeApi(csrf, M.failed);

function codingUrl(id) {
  return data.urls.coding.replace(/0\/$/, id + "/");
}

// The side tree's counts: the tree panel reloads itself (htmx) on codebook-changed.
let treeTimer = null;
function countsChanged() {
  clearTimeout(treeTimer);
  treeTimer = setTimeout(() => window.htmx && htmx.trigger(document.body, "codebook-changed"), 150);
}

/** Code `span` (or every hit of a find, span.hits, as one batch: one undo) at `nodeIds`; true when saved. */
export async function code(nodeIds, span) {
  if (!span || !nodeIds.length) {
    say(span ? M.choose : M.nothing, true);
    return false;
  }
  try {
    const spans = span.hits || [span];
    const body = nodeIds.flatMap((id) => spans.map((s) => ({ document: data.document, node: id, start: s.start, end: s.end })));
    mergeCodings(await api("POST", data.urls.write || data.urls.codings, body));
    window.getSelection().removeAllRanges();
    rerender();
    countsChanged();
    const names = nodeIds.map((id) => nodes.get(id).name).join("、");
    say(span.hits ? format(M.codedHits, { count: spans.length, nodes: names }) : format(M.codedAt, { nodes: names }));
    return true;
  } catch (error) {
    say(error.message, true);
    return false;
  }
}

/** Load the document's codings; redraw if they changed, and with `announce` say how many are new from whom. */
export async function refresh(announce) {
  try {
    const fresh = await api("GET", data.urls.codings + "?compact=1&document=" + data.document);
    if (signature(fresh) !== store.signature) {
      const known = new Set(store.codings.map((c) => c.id));
      const theirs = fresh.filter((c) => !known.has(c.id) && c.coder !== data.me);
      setCodings(fresh);
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

/** Load the codebook's nodes again (a node created here or by a teammate). */
export async function reloadNodes() {
  const list = await api("GET", data.urls.nodes);
  setNodes(list.map((n) => ({ id: n.id, parent: n.parent, name: n.name, path: n.path, color: n.color })));
}

/** Create a child node of `parent` (null: top level); the tree panel reloads. Returns the node's id. */
export async function createNode(name, parent) {
  const created = await api("POST", data.urls.nodes, { name: name, parent: parent });
  await reloadNodes();
  htmx.trigger(document.body, "codebook-changed");
  return created.id;
}

/** Undo the user's last coding batch. */
export async function undo() {
  try {
    await api("POST", data.urls.undo);
    store.signature = null; // whatever the feed says now is news (an empty list's signature is "")
    await refresh(false);
    countsChanged();
    say(M.undone);
  } catch (error) {
    say(error.message, true);
  }
}

/** Remove coding `c`; true when removed. */
export async function remove(c) {
  try {
    await api("DELETE", codingUrl(c.id));
    setCodings(store.codings.filter((x) => x.id !== c.id));
    rerender();
    countsChanged();
    say(M.removed);
    return true;
  } catch (error) {
    say(error.message, true);
    return false;
  }
}

/** Change coding `c` (`change`: its node or memo) and say `message`; true when saved. */
export async function patch(c, change, message) {
  try {
    mergeCodings([await api("PATCH", codingUrl(c.id), change)]);
    rerender();
    if (change.node !== undefined) countsChanged();
    say(message);
    return true;
  } catch (error) {
    say(error.message, true);
    return false;
  }
}
