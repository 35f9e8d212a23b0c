// Word cloud: <div data-wordcloud="json-script-id" data-search="url?scope"> becomes an SVG drawn here, measured with
// the fonts the reader's browser has (Chinese fonts included); each word links to its text search.
(function () {
  "use strict";
  const SVG = "http://www.w3.org/2000/svg";
  const COLORS = ["#2f5d8a", "#4e79a7", "#c0504d", "#59a14f", "#b07aa1", "#e49444", "#76b7b2", "#9c755f"];

  function draw(box) {
    const source = document.getElementById(box.dataset.wordcloud);
    if (!source) return;
    const words = JSON.parse(source.textContent).slice(0, 150);
    box.replaceChildren();
    if (!words.length) return;
    const width = Math.max(box.clientWidth, 320), height = Math.round(width * 0.6);
    const font = getComputedStyle(box).fontFamily;
    const context = document.createElement("canvas").getContext("2d");
    const counts = words.map((w) => w[1]);
    const max = Math.max(...counts), min = Math.min(...counts);
    const size = (n) => (max === min ? 32 : 13 + (Math.sqrt(n - min) / Math.sqrt(max - min)) * 43);
    const placed = [];
    const svg = document.createElementNS(SVG, "svg");
    svg.setAttribute("viewBox", `0 0 ${width} ${height}`);
    svg.setAttribute("width", "100%");
    svg.setAttribute("class", "wordcloud-svg");
    words.forEach(([word, count], i) => {
      const px = size(count);
      context.font = `600 ${px}px ${font}`;
      const w = context.measureText(word).width + 4, h = px * 1.05;
      for (let t = 0; t < 2400; t += 1) {
        const angle = t * 0.25, radius = 2.2 * angle;
        const x = width / 2 + radius * Math.cos(angle) * 1.4 - w / 2;
        const y = height / 2 + radius * Math.sin(angle) - h / 2;
        if (x < 0 || y < 0 || x + w > width || y + h > height) continue;
        if (placed.some((p) => x < p.x + p.w && p.x < x + w && y < p.y + p.h && p.y < y + h)) continue;
        placed.push({ x, y, w, h });
        const link = document.createElementNS(SVG, "a");
        const sep = box.dataset.search.includes("?") ? "&" : "?";
        link.setAttribute("href", `${box.dataset.search}${sep}q=${encodeURIComponent(word)}`);
        const text = document.createElementNS(SVG, "text");
        text.setAttribute("x", (x + w / 2).toFixed(1));
        text.setAttribute("y", (y + h * 0.82).toFixed(1));
        text.setAttribute("text-anchor", "middle");
        text.setAttribute("font-size", px.toFixed(1));
        text.setAttribute("font-weight", "600");
        text.setAttribute("fill", COLORS[i % COLORS.length]);
        text.textContent = word;
        const title = document.createElementNS(SVG, "title");
        title.textContent = `${word}: ${count}`;
        text.appendChild(title);
        link.appendChild(text);
        svg.appendChild(link);
        break;
      }
    });
    box.appendChild(svg);
  }

  function drawAll(root) {
    (root || document).querySelectorAll("[data-wordcloud]").forEach(draw);
  }

  document.addEventListener("DOMContentLoaded", () => drawAll());
  document.addEventListener("htmx:afterSettle", () => drawAll());
})();
