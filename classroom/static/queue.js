// Refresh the queue view in place, so an instructor can leave it open during a deadline.
(function () {
  const counts = document.getElementById("counts");
  const body = document.querySelector("#jobs tbody");
  const cell = (text) => { const td = document.createElement("td"); td.textContent = text ?? ""; return td; };
  async function refresh() {
    try {
      const r = await fetch(counts.dataset.source, { headers: { Accept: "application/json" } });
      if (!r.ok) return;
      const snap = await r.json();
      for (const el of counts.querySelectorAll("[data-state]")) el.textContent = snap.counts[el.dataset.state];
      body.replaceChildren(...snap.jobs.map((j) => {
        const tr = document.createElement("tr");
        tr.className = j.state;
        const link = document.createElement("a");
        link.href = `/submissions/${j.submission}`;
        link.textContent = `#${j.submission}`;
        const sub = document.createElement("td");
        sub.append(link);
        tr.append(cell(j.id), sub, cell(j.student), cell(j.chapter), cell(j.lane), cell(j.state),
          cell(j.attempt), cell(j.enqueued_at), cell(j.wait_s), cell(j.run_s), cell(j.error[0]));
        return tr;
      }));
    } catch (e) { /* the server may be restarting; try again next tick */ }
  }
  setInterval(refresh, 2000);
})();
