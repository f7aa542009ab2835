// The team gateway's page: sign in with GitHub (the gateway runs the device flow), see the key once, manage your
// keys and see your use; admins see everybody and the audit log. Data is only ever put in the page as text.
const $ = (id) => document.getElementById(id);
let csrf = "";
/** The last answer of /me (its `url` is the gateway's public URL, for snippets). */
let me = { url: location.origin };

function show(id, visible) {
  $(id).hidden = !visible;
}

function fail(message) {
  const el = $("page-error");
  el.textContent = message;
  el.hidden = false;
}

async function call(method, path, body) {
  const headers = { accept: "application/json" };
  if (body !== undefined) headers["content-type"] = "application/json";
  if (method !== "GET") headers["x-cgw-csrf"] = csrf;
  const res = await fetch(`/team/api${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    credentials: "same-origin",
  });
  const json = await res.json().catch(() => ({}));
  return { status: res.status, json };
}

function when(ms) {
  return ms === undefined || ms === null
    ? "never"
    : new Date(ms).toISOString().replace("T", " ").slice(0, 16);
}

function cell(text, className) {
  const td = document.createElement("td");
  td.textContent = String(text);
  if (className) td.className = className;
  return td;
}

function row(cells) {
  const tr = document.createElement("tr");
  for (const c of cells) tr.append(c instanceof Node ? c : cell(c));
  return tr;
}

function button(label, onClick) {
  const td = document.createElement("td");
  const b = document.createElement("button");
  b.type = "button";
  b.className = "small";
  b.textContent = label;
  b.addEventListener("click", onClick);
  td.append(b);
  return td;
}

function fill(id, rows, empty) {
  const body = $(id);
  body.replaceChildren(...rows);
  if (rows.length === 0) {
    const td = cell(empty, "muted");
    td.colSpan = 10;
    const tr = document.createElement("tr");
    tr.append(td);
    body.append(tr);
  }
}

function showKey(key, url) {
  $("new-key-value").textContent = key;
  $("snippet-claude").textContent =
    `export ANTHROPIC_BASE_URL=${url}\nexport ANTHROPIC_AUTH_TOKEN=${key}\n# or: copilot-gateway connect ${url} && eval "$(copilot-gateway env claude-code --server ${url})"`;
  $("snippet-openai").textContent = `export OPENAI_BASE_URL=${url}/v1\nexport OPENAI_API_KEY=${key}`;
  $("snippet-curl").textContent = `curl ${url}/v1/models -H "Authorization: Bearer ${key}"`;
  show("new-key", true);
}

async function signIn() {
  $("sign-in-error").hidden = true;
  const started = await call("POST", "/sign-in", { via: "page", name: "page sign-in" });
  if (started.status !== 201) {
    $("sign-in-error").textContent =
      started.json.error?.message ?? `Sign-in failed (HTTP ${started.status}).`;
    $("sign-in-error").hidden = false;
    return;
  }
  const code = started.json;
  $("verify-link").textContent = code.verificationUri;
  $("verify-link").href = code.verificationUri;
  $("user-code").textContent = code.userCode;
  show("sign-in-idle", false);
  show("sign-in-code", true);
  let interval = code.intervalSeconds;
  for (;;) {
    await new Promise((r) => setTimeout(r, Math.max(500, interval * 1000)));
    const polled = await call("POST", "/sign-in/poll", { handle: code.handle });
    if (polled.json.status === "pending") {
      interval = polled.json.intervalSeconds;
      continue;
    }
    show("sign-in-code", false);
    show("sign-in-idle", true);
    if (polled.json.status === "complete") {
      await load();
      showKey(polled.json.key, polled.json.url);
      return;
    }
    $("sign-in-error").textContent = polled.json.error?.message ?? `Sign-in failed (HTTP ${polled.status}).`;
    $("sign-in-error").hidden = false;
    return;
  }
}

function usageRows(list) {
  return list.map((u) =>
    row([
      u.model,
      cell(u.requests, "num"),
      cell(u.inputTokens, "num"),
      cell(u.outputTokens, "num"),
      cell(u.cachedTokens, "num"),
    ]),
  );
}

function facts(id, pairs) {
  const dl = $(id);
  dl.replaceChildren();
  for (const [k, v] of pairs) {
    const dt = document.createElement("dt");
    dt.textContent = k;
    const dd = document.createElement("dd");
    dd.textContent = String(v);
    dl.append(dt, dd);
  }
}

function durationWords(ms) {
  const minutes = Math.max(0, Math.ceil(ms / 60000));
  if (minutes < 60) return `${minutes} min`;
  const days = Math.floor(minutes / 1440);
  const hours = Math.floor((minutes % 1440) / 60);
  if (days > 0) return `${days} ${days === 1 ? "day" : "days"}${hours ? ` ${hours} h` : ""}`;
  return `${hours} h${minutes % 60 ? ` ${minutes % 60} min` : ""}`;
}

function readingText(r) {
  const left = `${Math.round(r.percentLeft * 10) / 10}% left`;
  const reset = r.resetsAt ? `, resets in ${durationWords(Date.parse(r.resetsAt) - Date.now())}` : "";
  return `${left}${reset}`;
}

/** Copilot's limits from the last answer's headers: [label, text] pairs. */
function limitPairs(snapshot) {
  if (!snapshot) return [];
  const pairs = [];
  if (snapshot.session) pairs.push(["Session limit (5 h)", readingText(snapshot.session)]);
  if (snapshot.weekly) pairs.push(["Weekly limit", readingText(snapshot.weekly)]);
  for (const [id, r] of Object.entries(snapshot.quotas)) pairs.push([`Quota ${id}`, readingText(r)]);
  return pairs;
}

/** Compact, for the admin table: "session 60.5% · weekly 88% · premium_interactions 31%" (percent left). */
function limitSummary(snapshot) {
  if (!snapshot) return "not seen yet";
  const parts = [];
  const pct = (r) => `${Math.round(r.percentLeft * 10) / 10}%`;
  if (snapshot.session) parts.push(`session ${pct(snapshot.session)}`);
  if (snapshot.weekly) parts.push(`weekly ${pct(snapshot.weekly)}`);
  for (const [id, r] of Object.entries(snapshot.quotas)) parts.push(`${id} ${pct(r)}`);
  return parts.length === 0 ? "not seen yet" : `${parts.join(" · ")} left`;
}

function quotaPairs(quota) {
  const pairs = [["Copilot plan", quota.plan]];
  if (quota.resetDate) pairs.push(["Quota resets", quota.resetDate]);
  for (const q of quota.quotas) {
    // Worded by the server, as the CLI and the single-user page say it ("712 of 1,000 left").
    pairs.push([q.id.replaceAll("_", " "), q.text]);
  }
  return pairs;
}

async function loadSeatQuota() {
  const res = await call("GET", "/me/quota");
  if (res.status !== 200) {
    $("seat-note").textContent =
      res.json.error?.message ?? `GitHub did not report your seat (HTTP ${res.status}).`;
    facts("seat-quota", []);
    return;
  }
  if (!res.json.quota) {
    $("seat-note").textContent = "Requests run on the organisation's GitHub App, not on your own seat.";
    facts("seat-quota", []);
    return;
  }
  $("seat-note").textContent = `As GitHub reported it at ${when(res.json.quota.fetchedAt)} UTC.`;
  facts("seat-quota", quotaPairs(res.json.quota));
}

function renderMe(view) {
  me = view;
  csrf = me.csrf;
  $("who").textContent = `Signed in as ${me.login}${me.admin ? " (admin)" : ""}`;
  show("sign-out", true);
  fill(
    "keys-body",
    me.keys.map((k) =>
      row([
        k.name,
        cell(`cgw_…${k.hint}`, "mono"),
        when(k.createdAt),
        when(k.lastUsedAt),
        k.revokedAt ? `revoked ${when(k.revokedAt)}` : "active",
        k.revokedAt ? cell("") : button("Revoke", () => revoke(k.id)),
      ]),
    ),
    "No keys.",
  );
  fill("usage-today", usageRows(me.usage.today), "No requests today.");
  fill("usage-month", usageRows(me.usage.last30Days), "No requests in the last 30 days.");
  facts("limits", [
    ["Billing", me.billing === "seat" ? "your own Copilot seat" : "the organisation's GitHub App"],
    ["Requests per minute", me.limits.userRpm ?? "no limit"],
    ["Left this minute", me.limits.remainingThisMinute ?? "no limit"],
    ["Requests at once", me.limits.userConcurrency ?? "no limit"],
    ["Requests today", me.usage.totals.today.requests],
    ["Requests (30 days)", me.usage.totals.last30Days.requests],
    ["Tokens today (in/out)", `${me.usage.totals.today.inputTokens} / ${me.usage.totals.today.outputTokens}`],
  ]);
  const limits = limitPairs(me.copilotLimits);
  $("copilot-limits-note").textContent =
    limits.length === 0
      ? "Copilot reports its limits with each answer; none seen yet since the gateway started."
      : `From ${me.copilotLimitsOf === "organisation" ? "the organisation's" : "your"} last answer, at ${when(Date.parse(me.copilotLimits.observedAt))} UTC.`;
  facts("copilot-limits", limits);
  show("me", true);
  loadSeatQuota().catch((e) => fail(String(e)));
}

async function renderAdmin() {
  const [people, audit] = await Promise.all([
    call("GET", "/admin/users"),
    call("GET", "/admin/audit?limit=100"),
  ]);
  if (people.status !== 200) return;
  fill(
    "people-body",
    people.json.users.map((u) =>
      row([
        u.login,
        u.orgs.join(", ") || "-",
        when(u.lastUsedAt),
        cell(u.usage.totals.today.requests, "num"),
        cell(u.usage.totals.last30Days.requests, "num"),
        cell(u.usage.totals.last30Days.inputTokens + u.usage.totals.last30Days.outputTokens, "num"),
        u.usage.last30Days.map((m) => `${m.model}: ${m.requests}`).join(", ") || "-",
        limitSummary(u.copilotLimits),
        quotaCell(u.login),
        keysCell(u),
        u.disabledAt ? `revoked by ${u.disabledBy}` : "active",
        u.disabledAt
          ? button("Restore", () => admin(u.login, "enable"))
          : button("Revoke user", () => admin(u.login, "disable")),
      ]),
    ),
    "Nobody yet.",
  );
  fill(
    "audit-body",
    (audit.json.entries ?? []).map((e) =>
      row([when(e.at), e.actor, e.action, e.subject ?? "", e.detail ?? "", e.address ?? ""]),
    ),
    "The audit log is empty.",
  );
  show("admin", true);
}

function quotaCell(login) {
  const td = document.createElement("td");
  const b = document.createElement("button");
  b.type = "button";
  b.className = "small";
  b.textContent = "Check";
  b.setAttribute("aria-label", `Check ${login}'s seat quota`);
  b.addEventListener("click", async () => {
    b.disabled = true;
    const res = await call("GET", `/admin/users/${encodeURIComponent(login)}/quota`);
    const text =
      res.status !== 200
        ? (res.json.error?.message ?? `HTTP ${res.status}`)
        : res.json.quota
          ? quotaPairs(res.json.quota)
              .map(([k, v]) => `${k}: ${v}`)
              .join("; ")
          : "organisation's App";
    td.textContent = text;
  });
  td.append(b);
  return td;
}

/** Each active key of a person, with its own Revoke button (admins may revoke anyone's key). */
function keysCell(user) {
  const td = document.createElement("td");
  const active = user.keys.filter((k) => !k.revokedAt);
  if (active.length === 0) td.textContent = "-";
  for (const k of active) {
    const line = document.createElement("div");
    line.className = "key-line";
    const label = document.createElement("span");
    label.textContent = `${k.name} (…${k.hint}) `;
    const b = document.createElement("button");
    b.type = "button";
    b.className = "small";
    b.textContent = "Revoke";
    b.setAttribute("aria-label", `Revoke ${user.login}'s key ${k.name} (…${k.hint})`);
    b.addEventListener("click", () => revoke(k.id));
    line.append(label, b);
    td.append(line);
  }
  return td;
}

async function revoke(id) {
  const res = await call("POST", `/keys/${encodeURIComponent(id)}/revoke`);
  if (res.status !== 200) fail(res.json.error?.message ?? "Could not revoke the key.");
  await load();
}

async function admin(login, action) {
  const res = await call("POST", `/admin/users/${encodeURIComponent(login)}/${action}`);
  if (res.status !== 200) fail(res.json.error?.message ?? `Could not ${action} ${login}.`);
  await load();
}

async function load() {
  const [info, me] = await Promise.all([call("GET", "/info"), call("GET", "/me")]);
  if (info.status === 200) {
    const orgs = info.json.allowOrgs;
    $("policy").textContent = orgs.length > 0 ? `Members of ${orgs.join(", ")} only.` : "";
  }
  if (me.status !== 200) {
    $("who").textContent = "Not signed in";
    show("sign-out", false);
    show("me", false);
    show("admin", false);
    show("sign-in", true);
    return;
  }
  show("sign-in", false);
  renderMe(me.json);
  if (me.json.admin) await renderAdmin();
}

$("sign-in-start").addEventListener("click", () => signIn().catch((e) => fail(String(e))));
$("new-key-done").addEventListener("click", () => {
  for (const id of ["new-key-value", "snippet-claude", "snippet-openai", "snippet-curl"])
    $(id).textContent = "";
  show("new-key", false);
});
$("sign-out").addEventListener("click", async () => {
  await call("POST", "/sign-out");
  await load();
});
$("create-key").addEventListener("submit", async (event) => {
  event.preventDefault();
  const name = $("key-name").value.trim();
  const res = await call("POST", "/keys", { name });
  if (res.status !== 201) return fail(res.json.error?.message ?? "Could not create the key.");
  $("key-name").value = "";
  await load();
  showKey(res.json.key, me.url);
});
load().catch((e) => fail(String(e)));
