// Any <button data-png-src="figure.svg" data-png-name="file"> downloads that SVG drawn on a canvas as a PNG;
// the browser renders the Chinese labels with its own fonts.
(function () {
  "use strict";

  function download(button) {
    const image = new Image();
    image.onload = () => {
      const scale = 2;
      const canvas = document.createElement("canvas");
      canvas.width = image.naturalWidth * scale;
      canvas.height = image.naturalHeight * scale;
      const context = canvas.getContext("2d");
      context.fillStyle = "#ffffff";
      context.fillRect(0, 0, canvas.width, canvas.height);
      context.drawImage(image, 0, 0, canvas.width, canvas.height);
      canvas.toBlob((blob) => {
        const link = document.createElement("a");
        link.href = URL.createObjectURL(blob);
        link.download = (button.dataset.pngName || "figure") + ".png";
        document.body.appendChild(link);
        link.click();
        setTimeout(() => { URL.revokeObjectURL(link.href); link.remove(); }, 1000);
      }, "image/png");
    };
    image.src = button.dataset.pngSrc;
  }

  document.addEventListener("click", (event) => {
    const button = event.target.closest("[data-png-src]");
    if (button) download(button);
  });
})();
