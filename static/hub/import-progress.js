// The progress of an import (a file of concerns, or of online conversations) being checked or imported: polls the job's small JSON
// status and moves the bar; when the job stops running, reloads the page to show the result.
const box = document.getElementById("import-progress");

if (box) {
  const label = document.getElementById("import-progress-label");
  const bar = document.getElementById("import-progress-bar");
  const statusCell = document.getElementById("import-status");
  const url = box.dataset.statusUrl;
  let delay = 1000;

  const poll = async () => {
    try {
      const response = await fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin", cache: "no-store" });
      if (!response.ok) throw new Error(String(response.status));
      const job = await response.json();
      bar.value = job.percent;
      bar.textContent = `${job.percent}%`;
      const total = job.total_rows.toLocaleString("en-GB");
      label.textContent = `${job.status_label}: ${job.processed_rows.toLocaleString("en-GB")} of about ${total} rows (${job.percent}%).`;
      if (statusCell) statusCell.textContent = job.status_label;
      if (!job.running) {
        window.location.reload();
        return;
      }
      delay = 1000;
    } catch (error) {
      // A dropped connection is not the end of the job: try again, less often.
      delay = Math.min(delay * 2, 15000);
    }
    window.setTimeout(poll, delay);
  };

  window.setTimeout(poll, delay);
}
