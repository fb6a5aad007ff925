// dockerlab view: the lab's picture (GET /state), then each change (GET /stream, server-sent events); checks run by
// POST /check. Every text of the lab goes in as textContent or a canvas label: never as HTML.
"use strict";

const view = { state: null, cy: null, running: false, live: false };
window.dockerlabView = view;  // for the browser tests and for a curious learner's console

const $ = (id) => document.getElementById(id);
const token = new URLSearchParams(location.search).get("token") || "";  // the server asks it of every request

function el(tag, text, cls) {
  const node = document.createElement(tag);
  if (text !== undefined) node.textContent = text;
  if (cls) node.className = cls;
  return node;
}

function boxSize(lines) {
  const longest = Math.max(...lines.map((l) => l.length));
  return { w: Math.max(90, longest * 7.9 + 24), h: lines.length * 17 + 18 };
}

function nodeOf(id, lines, classes) {
  const size = boxSize(lines);
  return { group: "nodes", data: { id, label: lines.join("\n"), w: size.w, h: size.h }, classes };
}

function linkLabel(link) {
  const aliases = [...link.aliases.map((a) => "alias " + a), ...link.details];
  if (link.state === "file") return [link.wanted, link.mac, ...aliases].filter(Boolean).join("\n");
  if (link.state === "missing") return "disconnected" + (link.wanted ? ` (file: ${link.wanted})` : "");
  if (link.state === "down") return "not running" + (link.wanted ? ` (${link.wanted})` : "");
  const address = [link.ipv4, link.ipv6].filter(Boolean).join(" ");
  return [address || (link.wanted ? "no address" : ""), link.mac, ...aliases].filter(Boolean).join("\n");
}

function checkClass(check) {
  if (!check.result) return "check";
  return "check " + (check.result.passed ? "pass" : check.result.level === "warn" ? "warn" : "fail");
}

function elements(state) {
  const out = [];
  const containers = new Set(state.containers.map((c) => c.key));
  for (const n of state.networks) {
    out.push(nodeOf("n:" + n.key, [n.key, ...n.lines, ...(n.drift.length ? ["drift: " + n.drift.join("; ")] : [])],
      "network" + (n.present ? "" : " missing") + (n.drift.length ? " drift" : "")));
    if (n.settings_of) out.push({ group: "edges", classes: "shares",
      data: { id: `f:${n.key}:${n.settings_of}`, source: "n:" + n.key, target: "n:" + n.settings_of,
        label: "takes its settings" } });
  }
  for (const c of state.containers) {
    const lines = [c.key, [c.state, c.image].filter(Boolean).join(" · "), ...c.ports.map((p) => "port " + p)];
    if (state.hosts.length > 1) lines.push("on " + c.host);
    if (c.drift.length) lines.push("drift: " + c.drift.join("; "));
    out.push(nodeOf("c:" + c.key, lines, "container " + c.state + (c.drift.length ? " drift" : "")));
    if (c.shares) out.push({ group: "edges", classes: "shares",
      data: { id: `s:${c.key}:${c.shares}`, source: "c:" + c.key, target: "c:" + c.shares,
        label: "shares its network stack" } });
  }
  const needsHost = state.hostlinks.length || state.checks.some((k) => k.from === "host" || k.to === "host");
  if (needsHost) out.push(nodeOf("host", ["host", "the engine's own machine"], "hostnode"));
  for (const l of state.links) {
    out.push({ group: "edges", classes: "link " + l.state,
      data: { id: `l:${l.container}:${l.network}`, source: "c:" + l.container, target: "n:" + l.network,
        label: linkLabel(l) } });
  }
  for (const h of state.hostlinks) {
    out.push({ group: "edges", classes: "link " + h.state,
      data: { id: `h:${h.network}`, source: "host", target: "n:" + h.network, label: h.address } });
  }
  const end = (key) => (key === "host" ? "host" : containers.has(key) ? "c:" + key : null);
  for (const k of state.checks) {
    const source = end(k.from), target = end(k.to);
    if (!source || !target || source === target) continue;
    out.push({ group: "edges", classes: checkClass(k),
      data: { id: `k:${k.index}:${source}:${target}`, source, target, label: k.result && !k.result.passed ? k.label : "",
        index: k.index } });  // a check's name only where it failed: the picture stays readable
  }
  return out;
}

const STYLE = [
  { selector: "node", style: { shape: "round-rectangle", width: "data(w)", height: "data(h)", label: "data(label)",
    "text-wrap": "wrap", "text-valign": "center", "text-halign": "center", "font-family": "monospace",
    "font-size": 13, "background-color": "#eef4ff", "border-width": 1, "border-color": "#6b8fd6" } },
  { selector: "node.network", style: { "background-color": "#fff7e0", "border-color": "#c9a227", "border-width": 2 } },
  { selector: "node.hostnode", style: { "background-color": "#eeeeee", "border-color": "#777" } },
  { selector: "node.exited, node.missing, node.created, node.dead", style: { "background-color": "#f3f3f3",
    "border-style": "dashed", color: "#666" } },
  { selector: "node.drift", style: { "border-color": "#d33", "border-width": 3 } },
  { selector: "edge", style: { width: 1.5, "curve-style": "bezier", label: "data(label)", "font-size": 12,
    "font-family": "monospace", "text-wrap": "wrap", "text-background-color": "#ffffff",
    "text-background-opacity": 0.9, "text-background-padding": 2, "line-color": "#8aa0c8" } },
  { selector: "edge.missing, edge.down", style: { "line-style": "dashed", "line-color": "#d33", color: "#d33" } },
  { selector: "edge.extra", style: { "line-color": "#d33", color: "#d33" } },
  { selector: "edge.shares", style: { "line-style": "dotted" } },
  { selector: "edge.check", style: { "line-style": "dashed", "line-color": "#aaa", "target-arrow-shape": "triangle",
    "target-arrow-color": "#aaa", "control-point-step-size": 60, color: "#555" } },
  { selector: "edge.check.pass", style: { "line-color": "#2a9d3c", "target-arrow-color": "#2a9d3c", color: "#2a9d3c" } },
  { selector: "edge.check.fail", style: { "line-color": "#d33", "target-arrow-color": "#d33", color: "#d33" } },
  { selector: "edge.check.warn", style: { "line-color": "#d98c00", "target-arrow-color": "#d98c00", color: "#d98c00" } },
];

function draw(state) {
  const wanted = elements(state);
  if (!view.cy) {
    view.cy = cytoscape({ container: $("graph"), elements: wanted, style: STYLE, wheelSensitivity: 0.3 });
    view.cy.on("tap", "edge.check", (e) => runChecks([e.target.data("index")]));
    layout();
    return;
  }
  const cy = view.cy;
  const ids = new Set(wanted.map((e) => e.data.id));
  const before = new Set(cy.nodes().map((n) => n.id()));
  cy.batch(() => {
    cy.elements().filter((e) => !ids.has(e.id())).remove();
    const added = [];
    for (const e of wanted) {
      const had = cy.getElementById(e.data.id);
      if (had.nonempty()) { had.data(e.data); had.classes(e.classes); } else added.push(e);
    }
    cy.add(added);  // at once: an edge's end may come after it (an edge's ends are in its id, so never move)
  });
  const after = new Set(cy.nodes().map((n) => n.id()));
  if (before.size !== after.size || [...after].some((id) => !before.has(id))) layout();
}

function layout() {
  const cy = view.cy;
  // networks (and the host) in a row above, the containers on them below: memberships are the tree; checks do
  // not pull, they are drawn over the picture the memberships make
  cy.elements().not(".check").layout({ name: "breadthfirst", roots: cy.nodes(".network, .hostnode"),
    spacingFactor: 1.1, avoidOverlap: true, nodeDimensionsIncludeLabels: true, padding: 30, animate: false }).run();
  cy.fit(undefined, 30);
}

function row(cells) {
  const tr = el("tr");
  for (const c of cells) tr.append(el("td", c));
  return tr;
}

function panels(state) {
  $("title").textContent = "dockerlab view · " + state.lab;
  document.title = "dockerlab view: " + state.lab;
  $("stage").textContent = state.stage ? `stage ${state.stage.number} of ${state.stage.of}: ${state.stage.name}` : "";
  $("hosts").textContent = state.hosts.map((h) => (state.hosts.length > 1 ? h.key + " " : "") + h.address).join(", ");
  $("fault").hidden = !state.fault;
  const symptoms = state.checks.filter((k) => k.result && !k.result.passed).map((k) => k.label);
  $("symptoms").textContent = symptoms.length ? "Symptoms: " + symptoms.join(", ") + " fail." : "";
  $("error").hidden = !state.problem;
  $("error").textContent = state.problem || "";
  const drift = $("drift");
  drift.replaceChildren(...(state.drift.length ? state.drift.map((d) => el("li", d)) : [el("li", "in sync with the file", "none")]));
  const boxes = $("containers").tBodies[0];
  boxes.replaceChildren();
  for (const c of state.containers) {
    const links = state.links.filter((l) => l.container === c.key);
    if (!links.length) {
      const tr = row([c.key, c.state, c.shares ? "shares " + c.shares : "", "", ""]);
      tr.dataset.key = c.key;
      boxes.append(tr);
    }
    for (const l of links) {
      const where = l.network + (["up", "file"].includes(l.state) ? "" : ` (${l.state})`);
      const tr = row([c.key, c.state, where, [l.ipv4, l.ipv6].filter(Boolean).join(" ") || l.wanted, l.mac]);
      tr.dataset.key = c.key;
      tr.dataset.network = l.network;
      tr.className = l.state;
      boxes.append(tr);
    }
  }
  const nets = $("networks").tBodies[0];
  nets.replaceChildren(...state.networks.map((n) => {
    const tr = row([n.key, n.driver, n.lines.join(" · ")]);
    tr.dataset.key = n.key;
    return tr;
  }));
  checkList(state);
}

function checkList(state) {
  const list = $("checks");
  list.replaceChildren();
  let passed = 0, run = 0;
  for (const k of state.checks) {
    const li = el("li", undefined, checkClass(k));
    li.dataset.index = k.index;
    const button = el("button", "run", "run-one");
    button.type = "button";
    button.addEventListener("click", () => runChecks([k.index]));
    const verdict = k.result ? k.result.verdict : "not run";
    li.append(button, el("span", verdict, "verdict"), el("span", ` ${k.label}: ${k.from} → ${k.to || "?"} ${k.expect}`));
    if (k.result) {
      run += 1;
      passed += k.result.passed ? 1 : 0;
      li.append(el("div", k.result.reason, "reason"));
      if (k.result.hint) li.append(el("div", "hint: " + k.result.hint, "hint"));
    }
    list.append(li);
  }
  $("score").textContent = run ? `${passed} of ${run} passed` : state.checks.length ? "" : "this lab has no checks";
  $("run-all").disabled = view.running || !state.checks.length;
}

function addEvent(e) {
  const when = new Date(e.at * 1000).toLocaleTimeString();
  let said = e.action;
  if (e.network) said += " " + e.network + (e.address ? " " + e.address : "");
  if (e.exit_code !== undefined) said += ` (exit ${e.exit_code})`;
  if (e.signal) said += ` (signal ${e.signal})`;
  const li = el("li", `${when} ${e.what} ${e.name} ${said}`, "event " + e.what);
  const list = $("events");
  list.prepend(li);
  while (list.children.length > 200) list.lastChild.remove();
}

function render(state) {
  view.state = state;
  panels(state);
  draw(state);
}

async function runChecks(indexes) {
  if (view.running) return;
  view.running = true;
  $("run-all").disabled = true;
  $("run-all").textContent = "running…";
  try {
    const answer = await fetch("/check?token=" + encodeURIComponent(token), { method: "POST", headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ checks: indexes }) });
    if (!answer.ok) throw new Error(await answer.text());
  } catch (err) {
    $("error").hidden = false;
    $("error").textContent = "checks did not run: " + err.message;
  } finally {
    view.running = false;
    $("run-all").textContent = "Run all checks";
    if (view.state) checkList(view.state);
  }
}

function listen() {
  const stream = new EventSource("/stream?token=" + encodeURIComponent(token));
  stream.addEventListener("open", () => { view.live = true; $("live").textContent = "live"; $("live").className = "on"; });
  stream.addEventListener("state", (m) => {
    const state = JSON.parse(m.data);
    if (!view.state) for (const e of state.events) addEvent(e);  // the first: what happened before the page
    if (state.lab) render(state);
  });
  stream.addEventListener("event", (m) => addEvent(JSON.parse(m.data)));
  stream.addEventListener("bye", () => { stream.close(); stopped("the view has stopped (dockerlab view ended)"); });
  stream.addEventListener("error", () => { if (stream.readyState === EventSource.CLOSED) stopped("not connected"); });
}

function stopped(why) {
  view.live = false;
  $("live").textContent = why;
  $("live").className = "off";
}

async function start() {
  const embedded = $("lab-state");
  if (embedded) {  // `dockerlab graph --format html`: one picture, no server to ask
    document.body.classList.add("still");
    render(JSON.parse(embedded.textContent));
    return;
  }
  $("run-all").addEventListener("click", () => runChecks(null));
  listen();
}

document.addEventListener("DOMContentLoaded", start);
