// The Emperor's dashboard: one table row per vassal, created once and updated in place (a cell is written only
// when its text changes), so thousands of vassals do not churn the DOM; the filter only toggles rows.
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

function rowFor(id) {
  let row = rows.get(id);
  if (row) return row;
  const tr = document.createElement("tr");
  tr.dataset.id = id;
  const cells = {};
  for (const c of columns) {
    const td = document.createElement("td");
    td.className = c;
    tr.appendChild(td);
    cells[c] = td;
  }
  cells.name.textContent = id;
  cells.name.title = "show its log";
  cells.name.addEventListener("click", () => openLogs(id));
  const actions = document.createElement("td");
  actions.className = "actions";
  for (const verb of ["reload", "stop", "start"]) {
    const b = document.createElement("button");
    b.type = "button";
    b.textContent = verb;
    b.dataset.verb = verb;
    b.addEventListener("click", () => act(verb, id));
    actions.appendChild(b);
  }
  tr.appendChild(actions);
  row = { tr, cells, text: "" };
  rows.set(id, row);
  tbody.appendChild(tr);
  applyFilter(row);
  return row;
}

function set(td, text) { if (td.textContent !== text) td.textContent = text; }

function update(payload) {
  const stats = payload.stats, usage = payload.usage || {};
  const now = Date.now() / 1000;
  const blacklist = new Map(stats.blacklist.map(b => [b.id, b]));
  const seen = new Set();
  for (const v of stats.vassals) {
    seen.add(v.id);
    const row = rowFor(v.id), c = row.cells;
    const state = v.state;
    const bl = blacklist.get(v.id);
    const cls = bl ? "state-blacklisted" : "state-" + state;
    if (row.tr.className !== cls) row.tr.className = cls;
    set(c.state, state);
    set(c.pid, v.pid > 0 ? String(v.pid) : "");
    set(c.uptime, v.pid > 0 ? duration(v.uptime) : "");
    set(c.restarts, String(v.restarts));
    set(c.loyal, v.loyal ? "yes" : "no");
    let why = v.reason || "";
    if (bl) why = `${why || bl.reason} (attempt ${bl.attempt})`;
    if (v.next_spawn) why += ` — next attempt in ${duration(v.next_spawn - now)}`;
    set(c.why, why);
    set(c.heartbeat, v.last_heartbeat > 0 ? duration(now - v.last_heartbeat) + " ago" : "");
    set(c.status, v.status || "");
    const u = usage[String(v.pid)];
    set(c.memory, u ? (u.rss / 1024).toFixed(1) + " MiB" : "");
    set(c.cpu, u && u.cpu !== undefined ? u.cpu.toFixed(1) + " %" : "");
    set(c.ondemand, v.on_demand || "");
    // The sockets the Emperor holds for it, and the keys it announces to routers: "key → server (state)".
    const sockets = (v.sockets || []).join(" ");
    set(c.sockets, sockets);
    const routes = (v.subscriptions || []).map(r => `${r.key} → ${r.server}${r.state ? " (" + r.state + ")" : " (not announced)"}`).join("\n");
    set(c.routes, routes);
    const text = (v.id + " " + state + " " + why + " " + (v.status || "") + " " + sockets + " " + routes).toLowerCase();
    if (row.text !== text) { row.text = text; applyFilter(row); }
  }
  for (const [id, row] of rows) {
    if (!seen.has(id)) { row.tr.remove(); rows.delete(id); }
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
