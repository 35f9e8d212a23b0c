// Codebook page: drag a node onto another (inside, or before/after at the edges), mark the selected node,
// and redraw or download the figure. The server does the moving; htmx swaps the answer in.
(function () {
  "use strict";
  let dragged = null;

  function tree() { return document.getElementById("node-tree"); }

  function zone(row, event) {
    const box = row.getBoundingClientRect();
    const y = (event.clientY - box.top) / box.height;
    return y < 0.25 ? "before" : y > 0.75 ? "after" : "inside";
  }

  function clearMarks() {
    document.querySelectorAll(".cb-over-before, .cb-over-after, .cb-over-inside, .cb-drop-over").forEach((el) => {
      el.classList.remove("cb-over-before", "cb-over-after", "cb-over-inside", "cb-drop-over");
    });
  }

  function move(nodeId, values) {
    const url = tree().dataset.moveUrl.replace("/0/", "/" + nodeId + "/");
    htmx.ajax("POST", url, { source: "#node-detail", target: "#node-detail", swap: "outerHTML", values: values });
  }

  document.addEventListener("dragstart", (event) => {
    const row = event.target.closest && event.target.closest(".cb-editable .cb-row");
    if (!row) return;
    dragged = row.dataset.nodeId;
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", row.dataset.path);
    row.classList.add("cb-dragging");
  });

  document.addEventListener("dragend", () => {
    dragged = null;
    clearMarks();
    document.querySelectorAll(".cb-dragging").forEach((el) => el.classList.remove("cb-dragging"));
  });

  document.addEventListener("dragover", (event) => {
    if (!dragged) return;
    const root = event.target.closest && event.target.closest("[data-drop-root]");
    const row = event.target.closest && event.target.closest(".cb-editable .cb-row");
    if (!root && (!row || row.dataset.nodeId === dragged)) return;
    event.preventDefault();
    clearMarks();
    if (root) root.classList.add("cb-drop-over");
    else row.classList.add("cb-over-" + zone(row, event));
  });

  document.addEventListener("drop", (event) => {
    if (!dragged) return;
    const root = event.target.closest && event.target.closest("[data-drop-root]");
    const row = event.target.closest && event.target.closest(".cb-editable .cb-row");
    const nodeId = dragged;
    clearMarks();
    if (root) {
      event.preventDefault();
      move(nodeId, { parent: "root" });
    } else if (row && row.dataset.nodeId !== nodeId) {
      event.preventDefault();
      const where = zone(row, event);
      move(nodeId, where === "inside" ? { parent: row.dataset.nodeId } : { [where]: row.dataset.nodeId });
    }
    dragged = null;
  });

  // A click on a node name opens its panel beside the tree (the link itself works without script too).
  document.addEventListener("click", (event) => {
    const link = event.target.closest && event.target.closest("#codebook-tree-pane .cb-name");
    if (!link || event.ctrlKey || event.metaKey || event.shiftKey) return;
    event.preventDefault();
    htmx.ajax("GET", link.href, { source: "#node-detail", target: "#node-detail", swap: "outerHTML" });
  });

  function markSelected() {
    const detail = document.getElementById("node-detail");
    const selected = detail ? detail.dataset.nodeId : "";
    document.querySelectorAll("#node-tree .cb-row").forEach((row) => {
      row.classList.toggle("cb-selected", row.dataset.nodeId === selected);
    });
  }

  function figureUrl(download) {
    const img = document.getElementById("figure-img");
    const counts = document.getElementById("figure-counts").value;
    const params = new URLSearchParams();
    if (counts) params.set("counts", counts);
    if (download) params.set("download", "1");
    else params.set("v", Date.now());
    return img.dataset.src + "?" + params.toString();
  }

  function refreshFigure() {
    const img = document.getElementById("figure-img");
    if (!img) return;
    img.src = figureUrl(false);
    document.getElementById("figure-svg").href = figureUrl(true);
    document.getElementById("figure-png").dataset.pngSrc = figureUrl(false);
  }

  document.addEventListener("DOMContentLoaded", () => {
    markSelected();
    const counts = document.getElementById("figure-counts");
    if (counts) counts.addEventListener("change", refreshFigure);
  });
  document.body.addEventListener("htmx:afterSettle", markSelected);
  document.body.addEventListener("codebook-changed", refreshFigure);
})();
