// winnow review: keyboard-first review of a grid or an item. No external request: everything goes to this server.
(function () {
  "use strict";
  const body = document.body;
  const csrf = body.dataset.csrf;
  const grid = document.getElementById("grid");
  const cells = Array.from(document.querySelectorAll(".cell[data-sha]"));
  const message = document.getElementById("message");
  let index = 0;

  function say(text, conflict) {
    if (!message) return;
    message.textContent = text;
    message.className = conflict ? "conflict" : "";
  }

  function select(i) {
    if (!cells.length) return;
    const old = cells[index];
    if (old) { old.classList.remove("selected"); old.classList.remove("revealed"); }  // re-blur on leaving
    index = Math.max(0, Math.min(cells.length - 1, i));
    cells[index].classList.add("selected");
    cells[index].focus();
    if (grid) history.replaceState(null, "", "#i=" + index);  // back/forward return to this item
  }

  async function post(url, data) {
    return fetch(url, {method: "POST", credentials: "same-origin",
      headers: {"Content-Type": "application/json", "X-CSRF-Token": csrf}, body: JSON.stringify(data || {})});
  }

  async function reveal(cell) {
    if (cell.classList.contains("revealed")) { cell.classList.remove("revealed"); return; }
    const response = await post("/reveal/" + cell.dataset.sha);
    if (response.ok) cell.classList.add("revealed"); else say("reveal refused (" + response.status + ")", true);
  }

  async function decide(targets, category, addTags, removeTags) {
    const versions = {};
    targets.forEach(c => { versions[c.dataset.sha] = Number(c.dataset.version || 0); });
    const response = await post("/decide", {items: targets.map(c => c.dataset.sha), category: category, versions,
                                            add_tags: addTags || [], remove_tags: removeTags || []});
    if (response.status === 409) {
      const data = await response.json();
      say("Conflict: " + data.conflict + ". Nothing was changed; reload to see the current decision.", true);
      return;
    }
    if (!response.ok) { say("not saved (" + response.status + ")", true); return; }
    const data = await response.json();
    data.changed.forEach(ch => {
      const cell = cells.find(c => c.dataset.sha === ch.sha256);
      if (!cell) return;
      cell.dataset.version = ch.version;
      const cat = cell.querySelector(".cat");
      if (cat) cat.textContent = ch.category === null ? "-" : ch.category;
      const tags = cell.querySelector(".tags");
      if (tags) tags.textContent = ch.tags.join(" ");
    });
    const decision = document.getElementById("decision");
    if (decision && data.changed.length) decision.textContent = data.changed[0].category + " (version " + data.changed[0].version + ")";
    say(data.changed.length + " item(s) " + (category === null ? "tagged" : "categorized " + category));
  }

  const holder = grid || document.querySelector(".cell.single");
  const tagKeys = holder && holder.dataset.tagKeys ? JSON.parse(holder.dataset.tagKeys) : {};

  function columns() {
    if (!grid || cells.length < 2) return 1;
    const top = cells[0].offsetTop;
    const n = cells.findIndex(c => c.offsetTop !== top);
    return n > 0 ? n : cells.length;
  }

  function go(link) { const a = document.getElementById(link); if (a) window.location = a.href; }

  document.addEventListener("keydown", async (event) => {
    if (event.target.tagName === "INPUT") {
      if (event.key === "Enter" && event.target.id === "page-jump" && grid) {
        const page = Math.max(1, Math.min(Number(grid.dataset.pages), Number(event.target.value))) - 1;
        window.location = "/group/" + grid.dataset.group + "?page=" + page;
      }
      return;
    }
    const key = event.key;
    if (/^[0-9]$/.test(key) || (event.altKey && /^Digit[0-9]$/.test(event.code))) {
      const code = /^[0-9]$/.test(key) ? key : event.code.slice(5);
      if (event.altKey && grid) {
        const group = grid.dataset.group;
        const count = (await (await fetch("/group-count/" + group, {credentials: "same-origin"})).json()).items;
        if (!window.confirm("Categorize all " + count + " items of this group as " + code + "?")) return;
        const response = await post("/decide-group", {group: group, category: code, confirmed_count: count});
        if (response.status === 409) { say("Not applied: " + ((await response.json()).detail || "conflict") + ".", true); return; }
        if (!response.ok) { say("not saved (" + response.status + ")", true); return; }
        say((await response.json()).changed + " items categorized " + code + "; reloading");
        window.location.reload();
      } else if (cells[index]) {
        await decide([cells[index]], code);
      }
      event.preventDefault();
      return;
    }
    if (key === "s" && cells[index] && cells[index].dataset.suggested) {  // a human confirms the suggestion
      await decide([cells[index]], cells[index].dataset.suggested);
      return;
    }
    const tag = tagKeys[key.toLowerCase()];
    if (tag && cells[index] && !event.ctrlKey && !event.metaKey && !event.altKey) {
      if (event.shiftKey) await decide([cells[index]], null, [], [tag]);
      else await decide([cells[index]], null, [tag], []);
      return;
    }
    if (/^[a-cA-CnNuU]$/.test(key) && !event.ctrlKey && !event.metaKey) {  // UK scheme letters
      if (cells[index]) await decide([cells[index]], key.toUpperCase());
      return;
    }
    switch (key) {
      case "ArrowRight": select(index + 1); break;
      case "ArrowLeft": select(index - 1); break;
      case "ArrowDown": select(index + columns()); break;
      case "ArrowUp": select(index - columns()); break;
      case " ": if (cells[index]) await reveal(cells[index]); break;
      case "Enter": if (grid && cells[index]) window.location = "/item/" + cells[index].dataset.sha; break;
      case "PageDown": go("next-page"); break;
      case "PageUp": go("prev-page"); break;
      default: return;
    }
    event.preventDefault();
  });

  // a click selects; a click on the selected item reveals it (one at a time: leaving re-blurs)
  cells.forEach((cell, i) => cell.addEventListener("click", () => { if (i === index && cell.classList.contains("selected")) reveal(cell); else select(i); }));
  const remembered = /#i=(\d+)/.exec(window.location.hash);
  if (cells.length) select(remembered ? Number(remembered[1]) : 0);

  const play = document.getElementById("play");
  const video = document.getElementById("video");
  if (play && video) {
    play.addEventListener("click", () => {  // playback only on request, muted
      video.muted = true;
      video.src = "/media/" + play.dataset.sha;
      video.hidden = false;
      video.play();
    });
  }

  const minutes = Number(body.dataset.breakMinutes || 0);
  const reminder = document.getElementById("break");
  if (minutes > 0 && reminder) {
    window.setTimeout(() => { reminder.hidden = false; }, minutes * 60 * 1000);
    const ok = document.getElementById("break-ok");
    if (ok) ok.addEventListener("click", () => { reminder.hidden = true; });
  }
})();
