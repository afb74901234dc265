// The Emperor's dashboard: one table row per vassal, created once and updated in place (a cell is written only
// when its text changes, and only while the row is on screen), so thousands of vassals do not churn the DOM; the
// filter only toggles rows.
"use strict";
const csrf = document.querySelector('meta[name="csrf-token"]').content;
const tbody = document.querySelector("#vassals tbody");
const filter = document.getElementById("filter");
const rows = new Map(); // vassal id -> { tr, cells }
const columns = ["name", "state", "pid", "uptime", "restarts", "loyal", "why", "heartbeat", "status", "memory", "cpu", "ondemand", "sockets", "routes"];
let logSource = null;

function duration(seconds) {
  if (seconds < 0 || !isFinite(seconds)) return "";
  const d = Math.floor(seconds / 86400), h = Math.floor(seconds / 3600) % 24, m = Math.floor(seconds / 60) % 60, s = Math.floor(seconds % 60);
  return d ? `${d}d${h}h` : h ? `${h}h${m}m` : m ? `${m}m${s}s` : `${s}s`;
}

// One row, cloned for every vassal (cheaper than creating each cell); clicks are handled once, on the table body.
const template = (() => {
  const tr = document.createElement("tr");
  for (const c of columns) {
    const td = document.createElement("td");
    td.className = c;
    tr.appendChild(td);
  }
  tr.firstChild.title = "show its log";
  const actions = document.createElement("td");
  actions.className = "actions";
  for (const verb of ["reload", "stop", "start"]) {
    const b = document.createElement("button");
    b.type = "button";
    b.textContent = verb;
    b.dataset.verb = verb;
    actions.appendChild(b);
  }
  tr.appendChild(actions);
  return tr;
})();

tbody.addEventListener("click", e => {
  const tr = e.target.closest("tr");
  if (!tr) return;
  const button = e.target.closest("button[data-verb]");
  if (button) act(button.dataset.verb, tr.dataset.id);
  else if (e.target.closest("td.name")) openLogs(tr.dataset.id);
});

// Only rows on screen (or near it) are written; the others keep their latest data and are written when they
// scroll into view or the filter shows them. With thousands of vassals an update then touches a few dozen rows
// instead of every uptime cell, and the table is not laid out again for rows nobody sees.
const visibility = new IntersectionObserver(entries => {
  for (const entry of entries) {
    const row = rows.get(entry.target.dataset.id);
    if (!row) continue;
    row.visible = entry.isIntersecting;
    if (row.visible && row.dirty) render(row);
  }
}, { rootMargin: "300px 0px" });

function rowFor(id) {
  let row = rows.get(id);
  if (row) return row;
  const tr = template.cloneNode(true);
  tr.dataset.id = id;
  const cells = {};
  columns.forEach((c, i) => { cells[c] = tr.children[i]; });
  cells.name.textContent = id;
  row = { tr, cells, text: "", view: null, visible: false, dirty: false };
  rows.set(id, row);
  tbody.appendChild(tr);
  visibility.observe(tr);
  return row;
}

function set(td, text) { if (td.textContent !== text) td.textContent = text; }

/** The texts of one row, computed for every vassal (the filter needs them); written only when the row is seen. */
function viewOf(v, bl, u, now) {
  let why = v.reason || "";
  if (bl) why = `${why || bl.reason} (attempt ${bl.attempt})`;
  if (v.next_spawn) why += ` — next attempt in ${duration(v.next_spawn - now)}`;
  // The sockets the Emperor holds for it, and the keys it announces to routers: "key → server (state)".
  const sockets = (v.sockets || []).join(" ");
  const routes = (v.subscriptions || []).map(r => `${r.key} → ${r.server}${r.state ? " (" + r.state + ")" : " (not announced)"}`).join("\n");
  return {
    cls: bl ? "state-blacklisted" : "state-" + v.state,
    state: v.state,
    pid: v.pid > 0 ? String(v.pid) : "",
    uptime: v.pid > 0 ? duration(v.uptime) : "",
    restarts: String(v.restarts),
    loyal: v.loyal ? "yes" : "no",
    why,
    heartbeat: v.last_heartbeat > 0 ? duration(now - v.last_heartbeat) + " ago" : "",
    status: v.status || "",
    memory: u ? (u.rss / 1024).toFixed(1) + " MiB" : "",
    cpu: u && u.cpu !== undefined ? u.cpu.toFixed(1) + " %" : "",
    ondemand: v.on_demand || "",
    sockets,
    routes,
    filter: (v.id + " " + v.state + " " + why + " " + (v.status || "") + " " + sockets + " " + routes).toLowerCase(),
  };
}

function render(row) {
  const view = row.view, c = row.cells;
  row.dirty = false;
  if (!view) return;
  if (row.tr.className !== view.cls) row.tr.className = view.cls;
  for (const column of columns) {
    if (column !== "name") set(c[column], view[column]);
  }
}

function update(payload) {
  const stats = payload.stats, usage = payload.usage || {};
  const now = Date.now() / 1000;
  const blacklist = new Map(stats.blacklist.map(b => [b.id, b]));
  const seen = new Set();
  for (const v of stats.vassals) {
    seen.add(v.id);
    const row = rowFor(v.id);
    row.view = viewOf(v, blacklist.get(v.id), usage[String(v.pid)], now);
    if (row.visible) render(row); else row.dirty = true;
    if (row.text !== row.view.filter) { row.text = row.view.filter; applyFilter(row); }
  }
  for (const [id, row] of rows) {
    if (!seen.has(id)) { visibility.unobserve(row.tr); row.tr.remove(); rows.delete(id); }
  }
  const running = stats.vassals.filter(v => v.state === "running").length;
  set(document.getElementById("summary"), `${stats.vassals.length} vassals, ${running} running, ${stats.blacklist.length} blacklisted — pid ${stats.pid}, up ${duration(stats.uptime)}`);
}

function applyFilter(row) {
  const q = filter.value.trim().toLowerCase();
  const hide = q !== "" && !row.text.includes(q);
  if (row.tr.hidden !== hide) row.tr.hidden = hide;
}

filter.addEventListener("input", () => { for (const row of rows.values()) applyFilter(row); });

async function act(verb, name) {
  const body = new URLSearchParams({ verb });
  if (name) body.set("name", name);
  const response = await fetch("/api/action", { method: "POST", headers: { "X-CSRF-Token": csrf }, body });
  set(document.getElementById("message"), (await response.text()).trim());
}

document.getElementById("pardon").addEventListener("click", () => act("pardon"));

function openLogs(name) {
  if (logSource) logSource.close();
  const pre = document.getElementById("logs-text");
  pre.textContent = "";
  document.getElementById("logs-name").textContent = name;
  document.getElementById("logs").hidden = false;
  logSource = new EventSource("/events/logs?n=200&name=" + encodeURIComponent(name));
  logSource.onmessage = e => {
    const line = JSON.parse(e.data);
    const span = document.createElement("span");
    if (line.stream === "stderr") span.className = "stderr";
    span.textContent = line.line + "\n";
    const atEnd = pre.scrollTop + pre.clientHeight >= pre.scrollHeight - 4;
    pre.appendChild(span);
    while (pre.childNodes.length > 1000) pre.removeChild(pre.firstChild);
    if (atEnd) pre.scrollTop = pre.scrollHeight;
  };
}

document.getElementById("logs-close").addEventListener("click", () => {
  if (logSource) { logSource.close(); logSource = null; }
  document.getElementById("logs").hidden = true;
});

const events = new EventSource("/events");
events.addEventListener("stats", e => update(JSON.parse(e.data)));
events.onerror = () => set(document.getElementById("summary"), "connection lost; retrying…");
