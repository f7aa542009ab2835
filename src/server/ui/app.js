// The gateway's page: one small module, no framework. It only talks to /api/page/* on its own origin.
// Shapes of every answer are documented in src/web/page-types.ts.

const KEY_STORAGE = "copilot-gateway.apiKey";
const LOG_LIMIT = 200;
const HISTORY_REFRESH_MS = 2000;
const SIGN_IN_POLL_MS = 1000;
const WIDE_SNIPPETS = new Set(["base-url", "claude-code", "codex", "opencode", "aider", "continue", "curl"]);

const $ = (id) => document.getElementById(id);

/** Everything the page knows; nothing here is module-global beyond this one object created at start. */
function createPage() {
  return {
    apiKey: sessionStorage.getItem(KEY_STORAGE) ?? "",
    state: undefined,
    models: [],
    log: [],
    logPaused: false,
    logHeld: [],
    refreshDeadline: undefined,
    signInTimer: undefined,
    historyTimer: undefined,
    eventsAbort: undefined,
    ticker: undefined,
  };
}

class PageApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

async function api(page, path, { method = "GET", body } = {}) {
  const headers = { "X-Copilot-Gateway-Page": "1" };
  if (page.apiKey) headers.Authorization = `Bearer ${page.apiKey}`;
  if (body !== undefined) headers["Content-Type"] = "application/json";
  let res;
  try {
    res = await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      cache: "no-store",
    });
  } catch {
    throw new PageApiError(
      0,
      "offline",
      "The gateway does not answer. Is `copilot-gateway serve` still running?",
    );
  }
  const data = await res.json().catch(() => ({}));
  if (!res.ok) {
    const err = data?.error ?? {};
    throw new PageApiError(
      res.status,
      err.code ?? "error",
      err.message ?? `The gateway answered ${res.status}.`,
    );
  }
  return data;
}

// ---------- rendering helpers ----------

function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (v === undefined || v === null) continue;
    if (k === "class") node.className = v;
    else if (k === "dataset") Object.assign(node.dataset, v);
    else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v);
  }
  for (const c of children) {
    if (c === undefined || c === null || c === false) continue;
    node.append(c instanceof Node ? c : String(c));
  }
  return node;
}

function show(id, visible) {
  $(id).hidden = !visible;
}

function setText(id, text) {
  $(id).textContent = text;
}

function formatNumber(n) {
  return typeof n === "number" ? n.toLocaleString() : "—";
}

function formatDuration(ms) {
  const total = Math.max(0, Math.round(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const mm = String(m).padStart(2, "0");
  const ss = String(s).padStart(2, "0");
  return h > 0 ? `${h}:${mm}:${ss}` : `${m}:${ss}`;
}

function formatDate(value) {
  if (!value) return "—";
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? String(value) : d.toLocaleDateString(undefined, { dateStyle: "medium" });
}

function pageError(message) {
  $("page-error").textContent = message ?? "";
  show("page-error", Boolean(message));
}

async function copyText(text, button) {
  const label = button.textContent;
  try {
    await navigator.clipboard.writeText(text);
    button.textContent = "Copied";
  } catch {
    // Clipboard access can be refused (plain http on a non-loopback name); select the text instead.
    button.textContent = "Select and copy";
  }
  setTimeout(() => {
    button.textContent = label;
  }, 1500);
}

// ---------- state ----------

async function loadState(page) {
  try {
    page.state = await api(page, "/api/page/state");
  } catch (error) {
    if (error.code === "api_key_required" || error.code === "invalid_api_key") {
      showApiKeyPrompt(error.code === "invalid_api_key" && page.apiKey ? error.message : "");
      return;
    }
    setConnection("Gateway unreachable", "warn");
    pageError(error.message);
    return;
  }
  pageError("");
  show("api-key", false);
  render(page);
}

function setConnection(text, kind) {
  const pill = $("connection");
  pill.textContent = text;
  pill.className = `pill ${kind ?? ""}`;
}

function render(page) {
  const s = page.state;
  if (s.signedIn) {
    // A session whose Copilot token cannot be had is not "signed in" for any client: say what fails, once,
    // and offer to sign in again instead of a green badge over failing refreshes.
    const failing = tokenFailing(s);
    setConnection(failing ? `Sign-in failing · ${s.host}` : `Signed in · ${s.host}`, failing ? "warn" : "ok");
    show("page-note", false);
    show("sign-in", false);
    show("signed-in", true);
    show("sign-out", true);
    setText("token-problem", failing ? s.copilotToken.problem : "");
    show("token-failing", failing);
    renderAccount(page);
    renderSnippets(s.snippets);
    startEvents(page);
    if (failing) return;
    loadUsage(page);
    loadModels(page);
    loadHistory(page);
  } else {
    setConnection(`Not signed in · ${s.host}`, "warn");
    show("signed-in", false);
    show("sign-out", false);
    show("sign-in", true);
    renderSignIn(page, s.signIn);
  }
}

function tokenFailing(state) {
  const t = state.copilotToken;
  return Boolean(t?.problem && !t.ready);
}

function renderAccount(page) {
  const a = page.state.account ?? {};
  setText("account-host", page.state.host);
  setText("account-source", a.tokenSource ?? "—");
  setText("account-mode", a.modeDescription ?? "—");
  setText("account-billing", a.billing ?? "—");
  setText("account-api", page.state.copilotToken?.apiUrl ?? "—");
  if (a.login) setText("account-login", a.login);
  const t = page.state.copilotToken;
  page.refreshDeadline =
    t && typeof t.refreshInMs === "number" ? performance.now() + t.refreshInMs : undefined;
  tick(page);
}

/** Once a second: the token-refresh countdown. Re-reads state when a refresh should have happened. */
function tick(page) {
  const token = page.state?.copilotToken;
  // A failing background refresh is retried by the gateway with backoff; say so instead of counting down.
  // The reason itself is shown once, under the facts; here only that the gateway keeps retrying.
  const problem = token?.problem ? "refresh failing; retrying (see below)" : undefined;
  if (page.refreshDeadline === undefined) {
    setText("token-refresh", problem ?? (token?.ready === false ? "pending" : "—"));
    return;
  }
  const left = page.refreshDeadline - performance.now();
  if (left <= 0) {
    setText("token-refresh", problem ?? "refreshing now…");
    page.refreshDeadline = undefined;
    setTimeout(() => loadState(page), problem ? 30_000 : 2000);
    return;
  }
  setText("token-refresh", problem ?? `next refresh in ${formatDuration(left)}`);
}

// ---------- API key ----------

function showApiKeyPrompt(message) {
  setConnection("API key required", "warn");
  show("sign-in", false);
  show("signed-in", false);
  show("sign-out", false);
  show("api-key", true);
  $("api-key-error").textContent = message;
  show("api-key-error", Boolean(message));
  $("api-key-input").focus();
}

// ---------- sign in ----------

function renderSignIn(page, signIn) {
  clearTimeout(page.signInTimer);
  const status = signIn?.status ?? "idle";
  show("sign-in-idle", status === "idle");
  const waiting = status === "pending" || status === "starting" || status === "completing";
  show("sign-in-pending", waiting);
  show("sign-in-failed", status === "failed");
  if (status === "starting") {
    setText("user-code", "…");
    setText("sign-in-waiting", "Asking GitHub for a code…");
  }
  if (status === "pending") {
    const link = $("verification-link");
    link.href = signIn.verificationUri;
    link.textContent = signIn.verificationUri;
    setText("user-code", signIn.userCode);
    const left = signIn.expiresAt ? signIn.expiresAt - Date.now() : undefined;
    setText(
      "sign-in-waiting",
      left === undefined
        ? "Waiting for GitHub…"
        : `Waiting for GitHub… the code expires in ${formatDuration(left)}.`,
    );
  }
  if (status === "completing") setText("sign-in-waiting", "GitHub approved. Connecting to Copilot…");
  if (status === "failed") setText("sign-in-error", signIn.error?.message ?? "Sign-in failed.");
  if (status === "succeeded") {
    loadState(page);
    return;
  }
  if (waiting) {
    page.signInTimer = setTimeout(() => pollSignIn(page), SIGN_IN_POLL_MS);
  }
}

async function pollSignIn(page) {
  try {
    const signIn = await api(page, "/api/page/login");
    renderSignIn(page, signIn);
  } catch (error) {
    pageError(error.message);
    page.signInTimer = setTimeout(() => pollSignIn(page), SIGN_IN_POLL_MS * 3);
  }
}

async function startSignIn(page, button) {
  button.disabled = true;
  pageError("");
  try {
    const signIn = await api(page, "/api/page/login", { method: "POST", body: {} });
    renderSignIn(page, signIn);
    if (signIn.status === "pending") $("copy-code").focus();
  } catch (error) {
    renderSignIn(page, { status: "failed", error: { message: error.message } });
  } finally {
    button.disabled = false;
  }
}

/** A session whose token refresh fails: drop it (the page's own stored login only), then start a new sign-in. */
async function signInAgain(page, button) {
  button.disabled = true;
  pageError("");
  try {
    await api(page, "/api/page/logout", { method: "POST", body: {} });
    stopEvents(page);
    await loadState(page);
    await startSignIn(page, $("sign-in-start"));
  } catch (error) {
    pageError(error.message);
  } finally {
    button.disabled = false;
  }
}

async function cancelSignIn(page) {
  try {
    renderSignIn(page, await api(page, "/api/page/login/cancel", { method: "POST", body: {} }));
  } catch (error) {
    pageError(error.message);
  }
}

const SIGN_OUT_QUESTION =
  "Sign out of this gateway? Every tool using it loses access until someone signs in again. A login stored by `copilot-gateway login` or a token in the gateway's environment is not removed.";

async function signOut(page, button) {
  if (!window.confirm(SIGN_OUT_QUESTION)) return;
  button.disabled = true;
  try {
    const answer = await api(page, "/api/page/logout", { method: "POST", body: {} });
    stopEvents(page);
    await loadState(page);
    $("page-note").textContent = answer.note ?? "";
    show("page-note", Boolean(answer.note));
    $("sign-in-start").focus();
  } catch (error) {
    pageError(error.message);
  } finally {
    button.disabled = false;
  }
}

// ---------- usage ----------

async function loadUsage(page) {
  show("quota-error", false);
  try {
    renderUsage(await api(page, "/api/page/usage"));
  } catch (error) {
    $("quota-error").textContent = error.message;
    show("quota-error", true);
  }
}

// The server words each quota ("712 of 1,000 left", "unlimited") the way the CLI does: one voice.
function quotaLine(q) {
  return q ? q.text : "not reported";
}

function renderUsage(usage) {
  if (usage.login) setText("account-login", usage.login);
  setText("account-plan", usage.planName ?? "—");
  const p = usage.quotas?.premium;
  const fill = $("premium-fill");
  const bar = $("premium-bar");
  setText("premium-numbers", quotaLine(p));
  if (!p) {
    fill.style.width = "0";
  } else if (p.unlimited) {
    fill.style.width = "100%";
    fill.className = "bar-fill";
    bar.setAttribute("aria-valuenow", "100");
    bar.setAttribute("aria-valuetext", p.text);
  } else {
    const ratio = p.entitlement ? (p.remaining / p.entitlement) * 100 : 0;
    const pct = Math.max(0, Math.min(100, p.percentRemaining ?? ratio));
    fill.style.width = `${pct}%`;
    fill.className = `bar-fill ${pct < 10 ? "bad" : pct < 25 ? "warn" : ""}`;
    bar.setAttribute("aria-valuenow", String(Math.round(pct)));
    bar.setAttribute("aria-valuetext", `${p.text} (premium requests)`);
  }
  setText("quota-reset", usage.resetDate ? `Resets ${formatDate(usage.resetDate)}` : "");
  setText("quota-chat", quotaLine(usage.quotas?.chat));
  setText("quota-completions", quotaLine(usage.quotas?.completions));
}

// ---------- models ----------

async function loadModels(page) {
  setText("models-status", "Loading models…");
  try {
    const data = await api(page, "/api/page/models");
    page.models = data.models;
    renderModels(page);
  } catch (error) {
    setText("models-status", error.message);
  }
}

function modelMatches(model, filter) {
  if (!filter) return true;
  const hay = [model.id, model.name, model.vendor, model.type, model.policy, ...model.capabilities]
    .concat(model.endpoints ?? [])
    .join(" ")
    .toLowerCase();
  return filter
    .toLowerCase()
    .split(/\s+/)
    .every((word) => hay.includes(word));
}

function renderModels(page) {
  const filter = $("models-filter").value.trim();
  const shown = page.models.filter((m) => modelMatches(m, filter));
  const rows = shown.map((m) => {
    const policyCell = el("td", {}, el("span", { class: `policy-${m.policy ?? "none"}` }, m.policy ?? "—"));
    if (m.policy === "requires_consent") {
      policyCell.append(
        " ",
        el(
          "button",
          {
            type: "button",
            class: "small",
            "aria-label": `Enable ${m.name ?? m.id}`,
            title: m.terms ?? undefined,
            onclick: (event) => enableModel(page, m.id, event.currentTarget),
          },
          "Enable",
        ),
      );
    }
    return el(
      "tr",
      { dataset: { model: m.id } },
      el("td", {}, m.name ?? m.id, m.isDefault ? " (default)" : "", el("span", { class: "sub" }, m.id)),
      el("td", {}, m.type ?? "—", m.preview ? el("span", { class: "sub" }, "preview") : null),
      el("td", {}, ...(m.endpoints ?? ["(any)"]).map((e) => el("span", { class: "tag" }, e))),
      el("td", {}, ...m.capabilities.map((c) => el("span", { class: "tag" }, c))),
      el("td", { class: "num" }, formatNumber(m.contextWindow)),
      el("td", {}, m.premiumLabel),
      policyCell,
    );
  });
  $("models-body").replaceChildren(...rows);
  setText(
    "models-status",
    filter ? `${shown.length} of ${page.models.length} models match.` : `${page.models.length} models.`,
  );
}

async function enableModel(page, id, button) {
  button.disabled = true;
  try {
    await api(page, `/api/page/models/${encodeURIComponent(id)}/enable`, { method: "POST", body: {} });
    await loadModels(page);
  } catch (error) {
    button.disabled = false;
    setText("models-status", error.message);
  }
}

// ---------- snippets ----------

function renderSnippets(snippets) {
  const nodes = (snippets ?? []).map((s) => {
    const pre = el("pre", {}, el("code", {}, s.text));
    return el(
      "div",
      // Short one-liners and the long environment block get a full row; the two SDK snippets share one.
      { class: WIDE_SNIPPETS.has(s.id) ? "snippet wide" : "snippet" },
      el(
        "div",
        { class: "snippet-head" },
        el("h3", {}, s.title),
        el(
          "button",
          {
            type: "button",
            class: "small",
            "aria-label": `Copy ${s.title}`,
            onclick: (event) => copyText(s.text, event.currentTarget),
          },
          "Copy",
        ),
      ),
      pre,
    );
  });
  $("snippets").replaceChildren(...nodes);
}

// ---------- live log (SSE over fetch, so the API key can travel in a header) ----------

function logDetails(entry) {
  const facts = [
    ["Request id", entry.requestId ?? "—"],
    ["Model", entry.model ?? "—"],
    ["Upstream status", entry.upstreamStatus ?? "—"],
    [
      "Tokens in / out / cached",
      `${formatNumber(entry.inputTokens)} / ${formatNumber(entry.outputTokens)} / ${formatNumber(entry.cachedTokens)}`,
    ],
    ["Time to first byte", entry.firstByteMs === null ? "—" : `${formatNumber(entry.firstByteMs)} ms`],
  ];
  return el(
    "tr",
    { class: "log-details" },
    el(
      "td",
      { colspan: "8" },
      el("dl", { class: "facts" }, ...facts.flatMap(([k, v]) => [el("dt", {}, k), el("dd", {}, String(v))])),
    ),
  );
}

function logRow(entry) {
  const ok = entry.status >= 200 && entry.status < 400;
  const time = new Date(entry.time);
  const tokens =
    entry.inputTokens === null && entry.outputTokens === null
      ? "—"
      : `${formatNumber(entry.inputTokens)} / ${formatNumber(entry.outputTokens)}`;
  const row = el(
    "tr",
    { dataset: { requestId: entry.id }, class: "log-row", tabindex: "0", "aria-expanded": "false" },
    el("td", { title: time.toISOString(), "data-label": "Time" }, time.toLocaleTimeString()),
    el("td", { class: "mono", "data-label": "Route" }, `${entry.method} ${entry.route}`),
    el("td", { "data-label": "Model" }, entry.model ?? "—"),
    el(
      "td",
      { class: ok ? "status-ok" : "status-bad", title: entry.error ?? undefined, "data-label": "Status" },
      entry.status === 0 ? "aborted" : entry.status,
    ),
    el("td", { "data-label": "Stream" }, entry.stream ? "stream" : "—"),
    el("td", { class: "mono", "data-label": "Error" }, entry.error ?? "—"),
    el("td", { class: "num", "data-label": "Latency" }, `${formatNumber(entry.latencyMs)} ms`),
    el("td", { class: "num", "data-label": "Tokens" }, tokens),
  );
  // A click (or Enter) shows the row's details under it; again hides them.
  const toggle = () => {
    const next = row.nextElementSibling;
    if (next?.classList.contains("log-details")) {
      next.remove();
      row.setAttribute("aria-expanded", "false");
    } else {
      row.after(logDetails(entry));
      row.setAttribute("aria-expanded", "true");
    }
  };
  row.addEventListener("click", toggle);
  row.addEventListener("keydown", (event) => {
    if (event.key === "Enter") toggle();
  });
  return row;
}

// ---------- limits and history ----------

function limitBar(label, reading) {
  const used = Math.max(0, Math.min(100, 100 - reading.percentLeft));
  const resets = reading.resetsAt ? `resets in ${formatWait(Date.parse(reading.resetsAt) - Date.now())}` : "";
  return el(
    "div",
    { class: "limit", dataset: { limit: label } },
    el(
      "div",
      { class: "quota-head" },
      el("span", {}, label),
      el("span", {}, `${Math.round(used * 10) / 10}% used`),
    ),
    el(
      "div",
      {
        class: "bar",
        role: "progressbar",
        "aria-valuemin": "0",
        "aria-valuemax": "100",
        "aria-valuenow": String(used),
        "aria-label": label,
      },
      el("div", {
        class: `bar-fill ${used >= 90 ? "bad" : used >= 75 ? "warn" : ""}`,
        style: `width: ${used}%`,
      }),
    ),
    el("p", { class: "muted" }, resets),
  );
}

function formatWait(ms) {
  const minutes = Math.max(0, Math.ceil(ms / 60000));
  const days = Math.floor(minutes / 1440);
  const hours = Math.floor((minutes % 1440) / 60);
  const rest = minutes % 60;
  if (days > 0) return `${days} ${days === 1 ? "day" : "days"}${hours ? ` ${hours} h` : ""}`;
  if (hours > 0) return `${hours} h${rest ? ` ${rest} min` : ""}`;
  return `${rest} min`;
}

function renderLimits(snapshot) {
  const bars = [];
  if (snapshot.session) bars.push(limitBar("Session (5 h)", snapshot.session));
  if (snapshot.weekly) bars.push(limitBar("Weekly", snapshot.weekly));
  for (const [id, reading] of Object.entries(snapshot.quotas ?? {}))
    bars.push(limitBar(id.replaceAll("_", " "), reading));
  $("limits").replaceChildren(...bars);
}

function addLimitWarning(warning) {
  $("limit-warnings").prepend(el("li", { class: "warn-text" }, warning.message));
}

// Rows arrive in batches, many tabs may be open: refresh the history at most every few seconds, not per row.
function scheduleHistory(page) {
  if (page.historyTimer) return;
  page.historyTimer = setTimeout(() => {
    page.historyTimer = undefined;
    loadHistory(page);
  }, HISTORY_REFRESH_MS);
}

async function loadHistory(page) {
  try {
    renderHistory(await api(page, "/api/page/history"));
  } catch {
    // the card keeps its empty note
  }
}

function renderHistory(history) {
  const busiest = Math.max(1, ...history.days.map((d) => d.requests));
  $("history-chart").replaceChildren(
    ...history.days.map((d) =>
      el("div", {
        class: "history-day",
        title: `${d.day}: ${d.requests} requests`,
        dataset: { day: d.day, requests: String(d.requests) },
        style: `height: ${(d.requests / busiest) * 100}%`,
      }),
    ),
  );
  $("history-body").replaceChildren(
    ...history.models.map((m) =>
      el(
        "tr",
        {},
        el("td", { "data-label": "Model" }, m.model),
        el("td", { class: "num", "data-label": "Requests" }, formatNumber(m.requests)),
        el("td", { class: "num", "data-label": "Input" }, formatNumber(m.inputTokens)),
        el("td", { class: "num", "data-label": "Output" }, formatNumber(m.outputTokens)),
        el("td", { class: "num", "data-label": "Cached" }, formatNumber(m.cachedTokens)),
      ),
    ),
  );
  show("history-empty", history.models.length === 0);
}

function renderLog(page) {
  $("log-body").replaceChildren(...page.log.map(logRow));
  show("log-empty", page.log.length === 0);
}

function addLogEntry(page, entry) {
  if (page.logPaused) {
    page.logHeld.push(entry);
    setText("log-status", `Paused (${page.logHeld.length} new)`);
    return;
  }
  page.log.unshift(entry);
  if (page.log.length > LOG_LIMIT) page.log.length = LOG_LIMIT;
  $("log-body").prepend(logRow(entry));
  const rows = $("log-body").rows;
  while (rows.length > LOG_LIMIT) rows[rows.length - 1].remove();
  show("log-empty", false);
}

function handleEvent(page, event, data) {
  if (event === "snapshot") {
    page.log = data.entries.slice().reverse().slice(0, LOG_LIMIT);
    renderLog(page);
  } else if (event === "request") {
    addLogEntry(page, data);
    if (data.model) scheduleHistory(page);
  } else if (event === "skipped") {
    // The gateway sends at most a tick's worth of rows; under heavier load the newest are shown.
    if (!page.logPaused) setText("log-status", `Live (busy: ${data.rows} rows skipped)`);
  } else if (event === "limits") {
    renderLimits(data);
  } else if (event === "limit-warning") {
    addLimitWarning(data);
  } else if (event === "session") {
    loadState(page);
  }
}

function stopEvents(page) {
  page.eventsAbort?.abort();
  page.eventsAbort = undefined;
}

function startEvents(page) {
  if (page.eventsAbort) return;
  const abort = new AbortController();
  page.eventsAbort = abort;
  readEvents(page, abort.signal);
}

async function readEvents(page, signal) {
  while (!signal.aborted) {
    try {
      const headers = { Accept: "text/event-stream", "X-Copilot-Gateway-Page": "1" };
      if (page.apiKey) headers.Authorization = `Bearer ${page.apiKey}`;
      const res = await fetch("/api/page/events", { headers, signal, cache: "no-store" });
      if (!res.ok || !res.body) throw new Error(`events answered ${res.status}`);
      setText("log-status", "Live");
      const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
      let buffer = "";
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += value;
        let cut = buffer.indexOf("\n\n");
        while (cut >= 0) {
          const block = buffer.slice(0, cut);
          buffer = buffer.slice(cut + 2);
          let event = "message";
          const data = [];
          for (const line of block.split("\n")) {
            if (line.startsWith("event:")) event = line.slice(6).trim();
            else if (line.startsWith("data:")) data.push(line.slice(5).replace(/^ /, ""));
          }
          if (data.length > 0) handleEvent(page, event, JSON.parse(data.join("\n")));
          cut = buffer.indexOf("\n\n");
        }
      }
    } catch {
      if (signal.aborted) return;
    }
    setText("log-status", "Reconnecting…");
    await new Promise((resolve) => setTimeout(resolve, 2000));
  }
}

// ---------- wiring ----------

function wire(page) {
  $("api-key-form").addEventListener("submit", (event) => {
    event.preventDefault();
    page.apiKey = $("api-key-input").value.trim();
    sessionStorage.setItem(KEY_STORAGE, page.apiKey);
    $("api-key-input").value = "";
    loadState(page);
  });
  $("sign-in-start").addEventListener("click", (e) => startSignIn(page, e.currentTarget));
  $("sign-in-retry").addEventListener("click", (e) => startSignIn(page, e.currentTarget));
  $("sign-in-cancel").addEventListener("click", () => cancelSignIn(page));
  $("sign-out").addEventListener("click", (e) => signOut(page, e.currentTarget));
  $("sign-in-again").addEventListener("click", (e) => signInAgain(page, e.currentTarget));
  $("copy-code").addEventListener("click", (e) => copyText($("user-code").textContent, e.currentTarget));
  $("models-filter").addEventListener("input", () => renderModels(page));
  $("log-pause").addEventListener("click", (e) => {
    page.logPaused = !page.logPaused;
    e.currentTarget.textContent = page.logPaused ? "Resume" : "Pause";
    e.currentTarget.setAttribute("aria-pressed", String(page.logPaused));
    setText("log-status", page.logPaused ? "Paused" : "Live");
    if (!page.logPaused) for (const held of page.logHeld.splice(0)) addLogEntry(page, held);
  });
  $("log-clear").addEventListener("click", () => {
    page.log = [];
    page.logHeld = [];
    renderLog(page);
  });
  page.ticker = setInterval(() => tick(page), 1000);
}

const page = createPage();
wire(page);
loadState(page);
