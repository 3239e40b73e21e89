// A document's page while it is made in the background: poll its status; reload once it has finished,
// so the download links (or the reason it failed) are shown by the server-rendered page.
const box = document.getElementById("document-status");
if (box) {
  const label = box.querySelector("[data-document-label]");
  const stage = box.querySelector("[data-document-stage]");
  const poll = async () => {
    try {
      const response = await fetch(box.dataset.statusUrl, { headers: { Accept: "application/json" }, credentials: "same-origin" });
      if (response.ok) {
        const status = await response.json();
        label.textContent = status.label;
        stage.textContent = status.stage;
        if (status.finished) { window.location.reload(); return; }
      }
    } catch (error) {
      // A dropped connection: try again on the next tick.
    }
    window.setTimeout(poll, 1500);
  };
  window.setTimeout(poll, 1000);
}
