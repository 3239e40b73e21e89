// The report page: poll the build's status and move the progress bar; reload once it has finished,
// so the downloads (or the error) are shown by the server-rendered page.
const box = document.getElementById("report-status");
if (box) {
  const bar = document.getElementById("report-progress");
  const label = box.querySelector("[data-report-label]");
  const stage = box.querySelector("[data-report-stage]");
  const poll = async () => {
    try {
      const response = await fetch(box.dataset.statusUrl, { headers: { Accept: "application/json" }, credentials: "same-origin" });
      if (response.ok) {
        const status = await response.json();
        if (bar) { bar.value = status.progress; bar.textContent = `${status.progress}%`; }
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
