// winnow workspace pages (case overview, calls): live ingest progress, audited reveals, call verdicts and party
// links. Text from the case is always set with textContent, never as markup; every request goes to this server.
(function () {
  "use strict";
  const csrf = document.body.dataset.csrf;
  const message = document.getElementById("message");

  function say(text, bad) {
    if (!message) return;
    message.textContent = text;
    message.className = bad ? "conflict" : "";
  }

  async function post(url, data) {
    return fetch(url, {method: "POST", credentials: "same-origin",
      headers: {"Content-Type": "application/json", "X-CSRF-Token": csrf}, body: JSON.stringify(data || {})});
  }

  function cell(row, text) { const td = document.createElement("td"); td.textContent = text; row.appendChild(td); return td; }

  function fmt(n) { return Number(n || 0).toLocaleString("en"); }

  // live progress of a running ingest: poll while something runs
  const runs = document.getElementById("runs");
  const live = document.getElementById("live");
  async function poll() {
    let data;
    try {
      const response = await fetch(runs.dataset.poll, {credentials: "same-origin"});
      if (!response.ok) return;
      data = await response.json();
    } catch (e) { return; }
    const body = document.getElementById("run-rows");
    body.replaceChildren();
    data.runs.forEach(r => {
      const row = document.createElement("tr");
      row.dataset.run = r.id;
      cell(row, String(r.id));
      cell(row, r.command);
      const status = cell(row, r.stalled ? "stalled (no progress for a minute: killed? run it again to resume)" : r.status);
      status.className = "status";
      cell(row, (r.started_utc || "").slice(0, 19));
      const td = cell(row, "");
      td.className = "progress";
      if (r.files_done !== null) {
        const bar = document.createElement("progress");
        bar.max = 100; bar.value = r.percent || 0;
        td.appendChild(bar);
        const total = r.total_known ? " of " + fmt(r.total_files) + " files (" + r.percent + "%)" : " files (counting…)";
        td.appendChild(document.createTextNode(" " + fmt(r.files_done) + total + ", " + fmt(r.items) + " items, " +
                                               fmt(r.warnings) + " warnings"));
      } else td.textContent = "-";
      body.appendChild(row);
    });
    if (live) live.textContent = data.running ? "live: an ingest is running (updated every 2 s)" : "";
    if (data.running) window.setTimeout(poll, 2000);
  }
  if (runs && runs.dataset.poll) poll();

  const verify = document.getElementById("verify-audit");
  if (verify) verify.addEventListener("click", async () => {
    const out = document.getElementById("audit-result");
    out.textContent = "verifying…";
    const data = await (await fetch("/case/audit", {credentials: "same-origin"})).json();
    out.textContent = data.ok ? "intact: " + fmt(data.rows) + " rows verified" : "BROKEN: " + data.problems.join("; ");
    out.className = data.ok ? "ok" : "error";
  });

  // calls: reveal (audited), verdicts, parties
  document.querySelectorAll("article.call").forEach(article => {
    const sha = article.dataset.sha;
    const reveal = article.querySelector("button.reveal");
    if (reveal) reveal.addEventListener("click", async () => {
      const shots = article.querySelectorAll(".shot");
      if (article.classList.contains("revealed")) {
        article.classList.remove("revealed"); reveal.textContent = "reveal"; return;
      }
      const response = await post("/reveal/" + sha);
      if (!response.ok) { say("reveal refused (" + response.status + ")", true); return; }
      article.classList.add("revealed");
      reveal.textContent = "blur again";
      shots.forEach(s => s.classList.add("seen"));
    });
    article.querySelectorAll("button.decide").forEach(button => button.addEventListener("click", async () => {
      const response = await post("/calls/" + sha + "/verdict", {verdict: button.dataset.verdict,
                                                                 version: Number(article.dataset.version || 0)});
      if (response.status === 409) {
        say("Conflict: " + (await response.json()).conflict + ". Nothing was changed; reload to see it.", true);
        return;
      }
      if (!response.ok) { say("not saved (" + response.status + ")", true); return; }
      const data = await response.json();
      article.dataset.version = data.version;
      article.querySelector(".verdict-text").textContent =
        (data.verdict === "call" ? "a call recording" : "not a call") + " (" + data.user + ", " + data.time_utc.slice(0, 19) + ")";
      say("verdict saved");
    }));
    async function link(party) {
      if (!party) return;
      const response = await post("/calls/" + sha + "/party", {party: party});
      if (!response.ok) { say("not linked (" + response.status + ")", true); return; }
      const data = await response.json();
      const list = article.querySelector(".party-list");
      if (!list.querySelector(".party")) list.textContent = "";
      if (data.added) {
        const span = document.createElement("span");
        span.className = "party"; span.textContent = data.party;
        list.appendChild(span); list.appendChild(document.createTextNode(" "));
      }
      say("linked to " + data.party);
    }
    const input = article.querySelector(".party-input");
    const button = article.querySelector("button.link-party");
    if (button && input) button.addEventListener("click", () => link(input.value.trim()));
    article.querySelectorAll("button.link-lead").forEach(b => b.addEventListener("click", () => link(b.dataset.party)));
  });
})();
