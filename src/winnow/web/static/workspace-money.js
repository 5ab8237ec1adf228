// winnow workspace (chats, payments network): attachments revealed one at a time (audited by the server), and
// the payment network drawn as SVG from /payments/network.json with pan, zoom and click. No external request.
(function () {
  "use strict";
  const csrf = document.body.dataset.csrf;
  const message = document.getElementById("message");

  // attachments: a click selects, a click on the selected one reveals it; selecting another re-blurs
  let selected = null;
  document.querySelectorAll(".media-item[data-sha]").forEach((item) => {
    item.addEventListener("click", async (event) => {
      if (event.target.tagName === "A") return;
      if (selected !== item) {
        if (selected) selected.classList.remove("selected", "revealed");
        selected = item;
        item.classList.add("selected");
        return;
      }
      if (item.classList.contains("revealed")) { item.classList.remove("revealed"); return; }
      const response = await fetch("/reveal/" + item.dataset.sha, {method: "POST", credentials: "same-origin",
        headers: {"X-CSRF-Token": csrf}});
      if (response.ok) item.classList.add("revealed");
      else if (message) { message.textContent = "reveal refused (" + response.status + ")"; message.className = "conflict"; }
    });
  });

  const svg = document.getElementById("network");
  if (!svg) return;
  const NS = "http://www.w3.org/2000/svg";
  const W = 1000, H = 640, PAD = 30;
  const palette = ["#1f77b4", "#2ca02c", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf", "#ff7f0e"];
  let view = {x: 0, y: 0, w: W, h: H};
  const setView = () => svg.setAttribute("viewBox", [view.x, view.y, view.w, view.h].join(" "));
  const detail = document.getElementById("network-detail");

  function el(name, attrs, parent) {
    const node = document.createElementNS(NS, name);
    Object.entries(attrs).forEach(([k, v]) => node.setAttribute(k, String(v)));
    parent.appendChild(node);
    return node;
  }

  function zoom(factor, cx, cy) {
    const w = Math.max(50, Math.min(W * 4, view.w * factor)), h = w * H / W;
    view = {x: cx - (cx - view.x) * w / view.w, y: cy - (cy - view.y) * h / view.h, w: w, h: h};
    setView();
  }

  function point(event) {
    const box = svg.getBoundingClientRect();
    return {x: view.x + (event.clientX - box.left) / box.width * view.w,
            y: view.y + (event.clientY - box.top) / box.height * view.h};
  }

  function show(node, edges) {
    detail.replaceChildren();
    const title = document.createElement("h3");
    title.textContent = node.party;
    const facts = document.createElement("p");
    facts.textContent = (node.role === "sender" ? "sender (possible buyer)" : "receiver (possible facilitator)") +
      " · score " + node.score.toFixed(2) + (node.flagged ? " · flagged" : "") +
      (node.community ? " · community " + node.community : "");
    const links = document.createElement("p");
    links.textContent = edges.length + " links drawn";
    detail.append(title, facts, links);
    if (node.score > 0) {
      const a = document.createElement("a");
      a.href = "/payments/party/" + node.role + "/" + encodeURIComponent(node.entity);
      a.id = "network-party-link";
      a.textContent = "open the party";
      detail.append(a);
    }
  }

  fetch(svg.dataset.src, {credentials: "same-origin"}).then((r) => r.json()).then((data) => {
    if (!data.nodes.length) return;
    const xs = data.nodes.map((n) => n.x), ys = data.nodes.map((n) => n.y);
    const [x0, x1, y0, y1] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
    const sx = (x) => PAD + (x - x0) / ((x1 - x0) || 1) * (W - 2 * PAD);
    const sy = (y) => PAD + (y - y0) / ((y1 - y0) || 1) * (H - 2 * PAD);
    const at = new Map(data.nodes.map((n) => [n.entity, n]));
    const edgeLayer = el("g", {class: "edges"}, svg), nodeLayer = el("g", {class: "nodes"}, svg);
    const lines = data.edges.filter((e) => at.has(e.s) && at.has(e.r)).map((e) => {
      const a = at.get(e.s), b = at.get(e.r);
      const line = el("line", {x1: sx(a.x), y1: sy(a.y), x2: sx(b.x), y2: sy(b.y), stroke: "#999",
        "stroke-width": Math.min(4, 0.6 + Math.log1p(e.transactions) / 2), "stroke-opacity": 0.6}, edgeLayer);
      return {edge: e, line: line};
    });
    data.nodes.forEach((n) => {
      const ring = n.community ? palette[(n.community - 1) % palette.length] : "#444";
      const circle = el("circle", {cx: sx(n.x), cy: sy(n.y), r: n.flagged ? 9 : 4 + Math.min(4, n.score),
        fill: n.flagged ? "#d62728" : (n.role === "sender" ? "#fff" : "#ddd"), stroke: ring, "stroke-width": 2.5,
        class: "node " + n.role, "data-entity": n.entity}, nodeLayer);
      el("title", {}, circle).textContent = n.party + " (" + n.role + ", score " + n.score.toFixed(2) + ")";
      circle.addEventListener("click", (event) => {
        event.stopPropagation();
        nodeLayer.querySelectorAll(".node.chosen").forEach((c) => c.classList.remove("chosen"));
        circle.classList.add("chosen");
        const mine = lines.filter((l) => l.edge.s === n.entity || l.edge.r === n.entity);
        lines.forEach((l) => l.line.setAttribute("stroke", "#999"));
        mine.forEach((l) => l.line.setAttribute("stroke", "#d62728"));
        show(n, mine);
      });
    });
    svg.dataset.ready = String(data.nodes.length);
  });

  let drag = null;
  svg.addEventListener("pointerdown", (event) => {
    if (event.target.tagName === "circle") return;
    drag = {x: event.clientX, y: event.clientY, view: Object.assign({}, view)};
    svg.setPointerCapture(event.pointerId);
  });
  svg.addEventListener("pointermove", (event) => {
    if (!drag) return;
    const box = svg.getBoundingClientRect();
    view.x = drag.view.x - (event.clientX - drag.x) / box.width * view.w;
    view.y = drag.view.y - (event.clientY - drag.y) / box.height * view.h;
    setView();
  });
  svg.addEventListener("pointerup", () => { drag = null; });
  svg.addEventListener("wheel", (event) => {
    event.preventDefault();
    const p = point(event);
    zoom(event.deltaY > 0 ? 1.2 : 1 / 1.2, p.x, p.y);
  }, {passive: false});
  const centre = () => ({x: view.x + view.w / 2, y: view.y + view.h / 2});
  document.getElementById("zoom-in").addEventListener("click", () => { const c = centre(); zoom(1 / 1.5, c.x, c.y); });
  document.getElementById("zoom-out").addEventListener("click", () => { const c = centre(); zoom(1.5, c.x, c.y); });
  document.getElementById("zoom-reset").addEventListener("click", () => { view = {x: 0, y: 0, w: W, h: H}; setView(); });
})();
