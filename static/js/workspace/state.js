/* The coding page's state: its data from the server, the codebook's nodes, the codings, and what the reader chose
 * to see (layer, coders, a node's subtree, colour by coder). Every other module reads and changes it here. */

export const data = JSON.parse(document.getElementById("workspace-data").textContent);
export const M = data.messages;
export const root = document.getElementById("doc-text");
export const pane = document.getElementById("text-pane");

/** Node id → node, and node id → its place in codebook order. */
export const nodes = new Map();
export const nodeOrder = new Map();

/** Replace the nodes (a node created in the picker, or one a teammate created). */
export function setNodes(list) {
  nodes.clear();
  nodeOrder.clear();
  list.forEach((n, i) => {
    nodes.set(n.id, n);
    nodeOrder.set(n.id, i);
  });
}
setNodes(data.nodes);

/** The codings of this document in (start, end, id) order, and the signature of the last list seen from the feed
 * (null: whatever the feed says next is news). */
export const store = { codings: data.codings, signature: "" };

/** What is drawn: "all", "mine" or "chosen" coders, the chosen coders, a node's subtree (null: all), colour by coder. */
export const view = { layer: "all", chosen: new Set(data.coders), nodeSet: null, byCoder: false };

/** Whether coding `c` is drawn under the current view. */
export function shown(c) {
  if (!nodes.has(c.node)) return false;
  if (view.layer === "mine" && c.coder !== data.me) return false;
  if (view.layer === "chosen" && !view.chosen.has(c.coder)) return false;
  return !view.nodeSet || view.nodeSet.has(c.node);
}

/** How a coder is shown (their display name, else the user name). */
export function coderLabel(name) {
  return (data.coderLabels || {})[name] || name;
}

/** A short fingerprint of a codings list: ids, nodes and memo lengths (what a redraw depends on). */
export function signature(list) {
  return list.map((c) => c.id + ":" + c.node + ":" + c.memo.length).join(",");
}

/** Replace the codings with `list`, remembering its signature as seen. */
export function setCodings(list) {
  store.codings = list;
  store.signature = signature(list);
}
setCodings(data.codings);

/** Merge codings the API returned (new or changed) into the list, keeping its order. */
export function mergeCodings(list) {
  const byId = new Map(store.codings.map((c) => [c.id, c]));
  for (const c of list) byId.set(c.id, { id: c.id, node: c.node, coder: c.coder, start: c.start, end: c.end, memo: c.memo, created_at: c.created_at });
  setCodings([...byId.values()].sort((a, b) => a.start - b.start || a.end - b.end || a.id - b.id));
}
