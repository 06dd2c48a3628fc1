// The web console: verify evidence files, follow cases and their statutory
// clocks, look up recognised inspection results. Plain ES modules, no build
// step; every page is rendered with DOM calls (text is never parsed as HTML).

import { adoptTokenFromFragment, call, download, forgetToken, sessionToken } from "./api.js";
import { currentLanguage, nameOf, setLanguage, setNames, stateLabel, t, tOr } from "./i18n.js";

const main = document.getElementById("main");
const sessionBox = document.getElementById("session");

// Organisation names by id, from GET /v1/orgs (public).
let orgNames = new Map();
// Organisation division codes by id, from the same answer.
let orgRegions = new Map();
// The signed-in officer ({expires_at_ms, officer}) or null.
let session = null;
// Node clock minus this browser's clock, from GET /v1/sessions/current, so
// that countdowns follow the node's time rather than the laptop's.
let clockOffsetMs = 0;
// The file being hashed, so that a later choice cancels it.
let activeWorker = null;

function nodeNow() {
  return Date.now() + clockOffsetMs;
}

/** `h("p", {class: "x"}, "text", child)`: an element with attributes and children. */
function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === null || value === undefined || value === false) continue;
    if (name.startsWith("on")) element.addEventListener(name.slice(2), value);
    else element.setAttribute(name, value === true ? "" : String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    element.append(child instanceof Node ? child : String(child));
  }
  return element;
}

/** A code shown by its name in the reader's language, the code kept in `title` and `data-code`. */
function named(table, code, testId) {
  return h("span", { class: "named", title: code, "data-code": code, "data-testid": testId }, nameOf(table, code));
}

function orgLabel(id) {
  if (!id) return t("common.none");
  const name = orgNames.get(id);
  return name ? `${name} (${id})` : id;
}

function formatTime(ms) {
  if (ms === null || ms === undefined) return t("common.none");
  const locale = currentLanguage() === "zh" ? "zh-CN" : "en-GB";
  return new Date(Number(ms)).toLocaleString(locale, { timeZone: "Asia/Shanghai", hour12: false });
}

function formatBytes(bytes) {
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]}`;
}

function formatDuration(ms) {
  const seconds = Math.floor(Math.abs(ms) / 1000);
  const d = Math.floor(seconds / 86400);
  const hh = Math.floor((seconds % 86400) / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  if (d > 0) return t("duration.days", { d, h: hh });
  if (hh > 0) return t("duration.hours", { h: hh, m });
  return t("duration.minutes", { m, s });
}

/** "3 d 2 h left", or once due: "… past due" for a duty, "closed …" for a window. */
function countdownText(dueMs, kind) {
  const left = Number(dueMs) - nodeNow();
  if (left >= 0) return t("countdown.left", { left: formatDuration(left) });
  return t(kind === "duty" ? "countdown.past" : "countdown.closed", { left: formatDuration(left) });
}

/** A live countdown to `dueMs`, refreshed by `tick`; `kind` is the clock's (duty, window …). */
function countdown(dueMs, kind = "duty") {
  return h("span", { class: "countdown", "data-testid": "countdown", "data-due-ms": dueMs, "data-kind": kind }, countdownText(dueMs, kind));
}

function tick() {
  for (const element of document.querySelectorAll("[data-due-ms]")) {
    element.textContent = countdownText(element.getAttribute("data-due-ms"), element.getAttribute("data-kind"));
  }
  if (session) renderSession();
}

function shortId(hex) {
  return hex && hex.length > 12 ? `${hex.slice(0, 8)}…${hex.slice(-4)}` : hex ?? "";
}

function notice(kind, testId, ...children) {
  return h("div", { class: `notice ${kind}`, role: "status", "data-testid": testId }, ...children);
}

function signInPrompt(lead) {
  return notice(
    "info",
    "signin-prompt",
    h("strong", {}, t("signin.title")),
    lead ? h("p", {}, lead) : null,
    h("p", {}, t("signin.body")),
    h("pre", {}, h("code", {}, t("signin.command"))),
    h("p", { class: "muted" }, t("signin.note")),
  );
}

function errorNotice(answer) {
  const message = answer.status === 0 ? t("common.unreachable", { message: answer.message }) : t("common.error", { message: answer.message ?? answer.code });
  return notice("error", "error", message);
}

/** Whether an answer means "sign in first" (no token, or a dead one). */
function needsSignIn(answer) {
  return answer.status === 401;
}

// ---------------------------------------------------------------- session

function renderSession() {
  sessionBox.replaceChildren();
  if (!session) {
    sessionBox.append(h("span", { class: "muted", "data-testid": "session-none" }, t("session.none")));
    return;
  }
  const officer = session.officer;
  const left = Number(session.expires_at_ms) - nodeNow();
  if (left <= 0) {
    session = null;
    forgetToken();
    sessionBox.append(h("span", { class: "muted" }, t("session.expired")));
    return;
  }
  sessionBox.append(
    h("span", { "data-testid": "session-officer", "data-org-kind": officer.org_kind, title: officer.id }, t("session.as", { org_name: officer.org_name, org_kind: nameOf("org_kinds", officer.org_kind), role: tOr(`role.${officer.role}`, officer.role) })),
    h("span", { class: "muted" }, t("session.expires", { left: formatDuration(left) })),
    h("button", { type: "button", class: "link", onclick: signOut }, t("session.signout")),
  );
}

async function loadSession() {
  session = null;
  if (!sessionToken()) return;
  const answer = await call("/v1/sessions/current");
  if (answer.ok) {
    session = answer.body;
    clockOffsetMs = Number(answer.body.now_ms) - Date.now();
  } else if (answer.status === 401 || answer.status === 403) {
    forgetToken();
  }
}

async function signOut() {
  await call("/v1/sessions/current", "DELETE");
  forgetToken();
  session = null;
  renderSession();
  route();
}

// ---------------------------------------------------------------- verify

function renderVerify() {
  const input = h("input", { type: "file", id: "file-input", "data-testid": "file-input", "aria-label": t("verify.drop") });
  const zone = h("label", { class: "drop-zone", for: "file-input", "data-testid": "drop-zone" }, h("span", {}, t("verify.drop")), input);
  const progress = h("div", { class: "progress", hidden: true, "data-testid": "hash-progress" }, h("progress", { max: 1, value: 0 }), h("span", {}));
  const result = h("div", { class: "result", "data-testid": "verify-result" });
  input.addEventListener("change", () => {
    if (input.files && input.files[0]) hashAndLookUp(input.files[0], progress, result);
  });
  zone.addEventListener("dragover", (event) => {
    event.preventDefault();
    zone.classList.add("dragging");
  });
  zone.addEventListener("dragleave", () => zone.classList.remove("dragging"));
  zone.addEventListener("drop", (event) => {
    event.preventDefault();
    zone.classList.remove("dragging");
    const file = event.dataTransfer && event.dataTransfer.files[0];
    if (file) hashAndLookUp(file, progress, result);
  });
  main.replaceChildren(
    h("section", { class: "panel" }, h("h2", {}, t("verify.title")), h("p", { class: "lead" }, t("verify.lead")), zone, progress),
    result,
  );
}

function hashAndLookUp(file, progress, result) {
  if (activeWorker) activeWorker.terminate();
  const worker = new Worker("/web/hash-worker.js", { type: "module" });
  activeWorker = worker;
  const bar = progress.querySelector("progress");
  const label = progress.querySelector("span");
  progress.hidden = false;
  result.replaceChildren();
  result.removeAttribute("data-status");
  worker.onmessage = async (event) => {
    const message = event.data;
    if (message.kind === "progress") {
      const fraction = message.total === 0 ? 1 : message.done / message.total;
      bar.value = fraction;
      label.textContent = t("verify.hashing", { done: formatBytes(message.done), total: formatBytes(message.total), percent: Math.floor(fraction * 100) });
    } else if (message.kind === "done") {
      worker.terminate();
      activeWorker = null;
      label.textContent = t("verify.hashed", { name: file.name, size: formatBytes(file.size) });
      await lookUp(message.digest, result);
    } else {
      worker.terminate();
      activeWorker = null;
      result.replaceChildren(notice("error", "error", t("common.error", { message: message.message })));
    }
  };
  worker.postMessage({ file });
}

async function lookUp(digest, result) {
  const digestLine = h("p", { class: "digest" }, h("span", { class: "muted" }, `${t("verify.digest")} `), h("code", { "data-testid": "digest" }, digest));
  result.replaceChildren(digestLine, h("p", { class: "muted" }, t("common.loading")));
  const answer = await call(`/v1/evidence/${digest}`);
  const set = (status, ...children) => {
    result.setAttribute("data-status", status);
    result.replaceChildren(digestLine, ...children);
  };
  if (answer.ok) set("anchored", ...anchoredRecord(answer.body, digest));
  else if (answer.code === "not_anchored") set("not-anchored", notice("warning", "not-anchored", h("strong", {}, t("verify.not_anchored")), h("p", {}, t("verify.not_anchored_hint"))));
  else if (needsSignIn(answer)) set("signin", signInPrompt(t("verify.signin_needed")));
  else if (answer.code === "read_denied") set("denied", notice("error", "denied", t("verify.denied")));
  else set("error", errorNotice(answer));
}

function row(label, value, testId) {
  return h("tr", {}, h("th", { scope: "row" }, label), h("td", { "data-testid": testId }, value));
}

function anchoredRecord(record, digest) {
  const anchor = record.anchor ?? {};
  const rows = [
    row(t("verify.org"), orgLabel(record.org), "anchored-org"),
    row(t("verify.class"), tOr(`class.${record.class}`, record.class), "anchored-class"),
    row(t("verify.category"), tOr(`category.${anchor.category}`, anchor.category), "anchored-category"),
    row(t("verify.time"), formatTime(record.time_ms), "anchored-time"),
    row(t("verify.anchored_by"), h("code", { title: record.anchored_by }, shortId(record.anchored_by))),
    row(t("verify.height"), String(record.height)),
    row(t("verify.holder"), orgLabel(record.holder), "holder"),
  ];
  if (record.pending_transfer) rows.push(row(t("verify.pending"), orgLabel(record.pending_transfer)));
  if (anchor.case_id) rows.push(row(t("verify.case"), h("a", { href: `#/cases/${encodeURIComponent(anchor.case_id)}` }, anchor.case_id)));
  if (record.superseded_by) rows.push(row(t("verify.superseded"), h("code", {}, record.superseded_by)));
  if (record.destroyed) rows.push(row(t("verify.destroyed"), "✔"));
  const custody = (record.custody ?? []).map((event) =>
    h(
      "li",
      {},
      h("time", {}, formatTime(event.time_ms)),
      " ",
      h("strong", {}, tOr(`custody.${event.action}`, event.action)),
      " · ",
      orgLabel(event.org),
      event.to ? ` ${t("custody.to", { org: orgLabel(event.to) })}` : "",
      " · ",
      h("code", { title: event.officer }, shortId(event.officer)),
    ),
  );
  const status = h("p", { class: "status-line" });
  const button = h("button", { type: "button", "data-testid": "receipt-download" }, t("verify.receipt"));
  button.addEventListener("click", async () => {
    const answer = await download(`/v1/evidence/${digest}/receipt`);
    if (!answer.ok) {
      status.textContent = t("verify.receipt_failed", { message: answer.message });
      return;
    }
    const name = `${digest}.xjrcpt`;
    const link = h("a", { href: URL.createObjectURL(answer.blob), download: name });
    document.body.append(link);
    link.click();
    link.remove();
    status.textContent = t("verify.receipt_ready", { name });
  });
  return [
    notice("success", "anchored", h("strong", {}, t("verify.anchored"))),
    h("table", { class: "facts" }, h("tbody", {}, rows)),
    h("h3", {}, t("verify.custody")),
    custody.length ? h("ol", { class: "timeline", "data-testid": "custody" }, custody) : h("p", { class: "muted" }, t("verify.custody_empty")),
    h("div", { class: "actions" }, button, status),
  ];
}

// ---------------------------------------------------------------- cases

async function renderCases() {
  main.replaceChildren(h("h2", {}, t("cases.title")), h("p", { class: "muted" }, t("common.loading")));
  if (!sessionToken()) {
    main.replaceChildren(h("h2", {}, t("cases.title")), signInPrompt());
    return;
  }
  const answer = await call("/v1/cases");
  if (!answer.ok) {
    main.replaceChildren(h("h2", {}, t("cases.title")), needsSignIn(answer) ? signInPrompt() : errorNotice(answer));
    return;
  }
  const cases = answer.body.cases ?? [];
  const rows = cases.map((item) =>
    h(
      "tr",
      { class: item.overdue ? "overdue" : null, "data-case-id": item.id, "data-overdue": String(Boolean(item.overdue)) },
      h("td", { "data-label": t("cases.id") }, h("a", { href: `#/cases/${encodeURIComponent(item.id)}` }, item.id)),
      h("td", { "data-label": t("cases.case_title") }, item.title),
      h("td", { "data-label": t("cases.state") }, stateLabel(item.state)),
      h("td", { "data-label": t("cases.owner") }, orgLabel(item.owner)),
      h(
        "td",
        { "data-label": t("cases.next_due") },
        item.overdue ? h("span", { class: "badge overdue", "data-testid": "overdue-badge" }, t("cases.overdue")) : null,
        item.next_due_at_ms !== null && item.next_due_at_ms !== undefined ? countdown(item.next_due_at_ms, item.overdue ? "duty" : "window") : h("span", { class: "muted" }, t("cases.no_clock")),
      ),
    ),
  );
  main.replaceChildren(
    h("h2", {}, t("cases.title")),
    h("p", { class: "lead" }, t("cases.lead")),
    cases.length
      ? h(
          "table",
          { class: "cases", "data-testid": "case-list" },
          h("thead", {}, h("tr", {}, ["cases.id", "cases.case_title", "cases.state", "cases.owner", "cases.next_due"].map((key) => h("th", { scope: "col" }, t(key))))),
          h("tbody", {}, rows),
        )
      : h("p", { class: "muted", "data-testid": "case-list-empty" }, t("cases.empty")),
  );
}

/** Outcomes that narrow another, as the ledger's `Outcome::narrows`: a rule started by a penalty also starts on a fine. */
const NARROWED_OUTCOME = { fine: "penalty", "convicted-fined": "convicted" };

/** For each event, the clocks it started and stopped (rules from GET /v1/deadlines). */
function clockChanges(events, rules) {
  const running = new Set();
  return events.map((event) => {
    const stopped = [];
    for (const rule of rules) {
      if (running.has(rule.id) && ((rule.stop ?? []).includes(event.action) || !(rule.on ?? []).includes(event.to))) {
        running.delete(rule.id);
        stopped.push(rule.id);
      }
    }
    const started = [];
    for (const rule of rules) {
      const scopeIsCase = (rule.scope ?? "case") === "case";
      const outcomeFits = !rule.outcome || rule.outcome === event.outcome || rule.outcome === NARROWED_OUTCOME[event.outcome];
      if (scopeIsCase && outcomeFits && (rule.start ?? []).includes(event.action) && (rule.on ?? []).includes(event.to)) {
        running.add(rule.id);
        started.push(rule.id);
      }
    }
    return { started, stopped };
  });
}

async function renderCase(id) {
  main.replaceChildren(h("h2", {}, t("case.title", { id })), h("p", { class: "muted" }, t("common.loading")));
  if (!sessionToken()) {
    main.replaceChildren(h("h2", {}, t("case.title", { id })), signInPrompt());
    return;
  }
  const [answer, deadlines, facts, flags] = await Promise.all([
    call(`/v1/cases/${encodeURIComponent(id)}`),
    call("/v1/deadlines"),
    call(`/v1/cases/${encodeURIComponent(id)}/facts`),
    call(`/v1/supervision/flags?case=${encodeURIComponent(id)}`),
  ]);
  const back = h("p", {}, h("a", { href: "#/cases" }, `← ${t("common.back")}`));
  if (!answer.ok) {
    let body;
    if (answer.code === "read_denied") body = notice("error", "case-denied", t("case.denied"));
    else if (answer.code === "unknown_case") body = notice("warning", "case-unknown", t("case.unknown", { id }));
    else if (needsSignIn(answer)) body = signInPrompt();
    else body = errorNotice(answer);
    main.replaceChildren(back, h("h2", {}, t("case.title", { id })), body);
    return;
  }
  const detail = answer.body;
  const record = detail.case;
  const rules = deadlines.ok ? deadlines.body.rules ?? [] : [];
  main.replaceChildren(
    back,
    h(
      "section",
      { class: "panel", "data-testid": "case-detail", "data-overdue": String(Boolean(detail.overdue)) },
      h("h2", {}, record.title, " ", detail.overdue ? h("span", { class: "badge overdue", "data-testid": "overdue-badge" }, t("cases.overdue")) : null),
      h(
        "table",
        { class: "facts" },
        h(
          "tbody",
          {},
          row(t("cases.id"), h("code", {}, record.id)),
          row(t("case.state"), stateLabel(detail.state), "case-state"),
          row(t("case.entity"), h("code", {}, record.entity)),
          row(t("case.domain"), named("domains", record.domain), "case-domain"),
          row(t("cases.owner"), orgLabel(record.owner)),
          row(t("case.parties"), [record.police, record.procuratorate, record.court].filter(Boolean).map(orgLabel).join("；") || t("common.none")),
        ),
      ),
    ),
    clocksSection(detail.clocks ?? []),
    requestsSection(detail.requests ?? []),
    flags.ok ? caseFlagsSection(flags.body.flags ?? []) : null,
    facts.ok ? factsSection(facts.body) : null,
    timelineSection(detail.events ?? [], rules),
    attachmentsSection(detail.attachments ?? []),
  );
}

/** `销售金额 6000000 分（¥60000.00）`: a fact with its unit, and yuan for amounts in fen. */
function factText(fact) {
  const unit = nameOf("fact_units", fact.unit);
  const value = Number(fact.value);
  const yuan = fact.unit === "fen" ? `（¥${(value / 100).toFixed(2)}）` : "";
  const year = fact.year ? ` · ${fact.year}` : "";
  return `${nameOf("fact_kinds", fact.kind)} ${fact.value} ${unit}${yuan}${year}`;
}

function ruleMatchList(rules) {
  return h(
    "ul",
    { class: "rule-matches" },
    rules.map((matched) =>
      h(
        "li",
        { "data-rule": matched.rule_id },
        h("strong", { "data-testid": "flag-rule" }, t("sup.rule", { rule: matched.rule_id, version: matched.version })),
        h(
          "ul",
          {},
          (matched.facts ?? []).map((fact) =>
            h("li", { "data-testid": "flag-fact", "data-kind": fact.kind }, factText(fact), fact.evidence ? h("span", { class: "muted small" }, ` · ${t("sup.evidence", { digest: shortId(fact.evidence) })}`) : null),
          ),
        ),
      ),
    ),
  );
}

/** The supervision flags of one case: kind, the rules (id and version) with the facts that met them, raised and resolved, days since. */
function caseFlagsSection(flags) {
  const heading = h("h3", {}, t("case.flags"));
  if (!flags.length) return h("section", { class: "panel", "data-testid": "case-flags" }, heading, h("p", { class: "muted", "data-testid": "case-flags-empty" }, t("case.flags_empty")));
  const rows = flags.map((flag) =>
    h(
      "tr",
      { class: flag.open ? "overdue" : null, "data-testid": "case-flag", "data-kind": flag.kind, "data-open": String(Boolean(flag.open)) },
      h("td", { "data-label": t("sup.flag_kind") }, h("span", { class: "badge overdue", "data-testid": "flag-kind", title: flag.kind }, nameOf("flag_kinds", flag.kind))),
      h("td", { "data-label": t("sup.flag_rules") }, ruleMatchList(flag.rules ?? [])),
      h("td", { "data-label": t("case.flag_raised") }, formatTime(flag.raised_at_ms), h("div", { class: "muted small", "data-testid": "flag-days" }, t("sup.days", { days: flag.days_since_raised }))),
      h("td", { "data-label": t("sup.flag_status") }, h("span", { "data-testid": "flag-status" }, flag.open ? t("sup.open") : t("sup.resolved")), flag.open ? null : h("div", { class: "muted small" }, formatTime(flag.resolved_at_ms))),
    ),
  );
  return h(
    "section",
    { class: "panel", "data-testid": "case-flags" },
    heading,
    h(
      "table",
      { class: "cases flags" },
      h("thead", {}, h("tr", {}, ["sup.flag_kind", "sup.flag_rules", "case.flag_raised", "sup.flag_status"].map((key) => h("th", { scope: "col" }, t(key))))),
      h("tbody", {}, rows),
    ),
  );
}

function factsSection(view) {
  const facts = view.facts ?? [];
  const matched = view.matched ?? [];
  if (!facts.length && !matched.length) return h("section", { class: "panel" }, h("h3", {}, t("case.facts")), h("p", { class: "muted" }, t("case.facts_empty")));
  const rows = facts.map((fact) =>
    h(
      "tr",
      { "data-kind": fact.kind },
      h("td", { "data-label": t("case.fact_kind") }, named("fact_kinds", fact.kind)),
      h("td", { "data-label": t("case.fact_value") }, factText(fact)),
      h("td", { "data-label": t("case.attachment_action") }, named("actions", fact.action)),
      h("td", { "data-label": t("case.fact_evidence") }, fact.evidence ? h("code", { title: fact.evidence }, shortId(fact.evidence)) : t("common.none")),
    ),
  );
  return h(
    "section",
    { class: "panel", "data-testid": "case-facts" },
    h("h3", {}, t("case.facts")),
    facts.length
      ? h(
          "table",
          { class: "facts-table" },
          h("thead", {}, h("tr", {}, ["case.fact_kind", "case.fact_value", "case.attachment_action", "case.fact_evidence"].map((key) => h("th", { scope: "col" }, t(key))))),
          h("tbody", {}, rows),
        )
      : null,
    matched.length ? ruleMatchList(matched) : null,
  );
}

function clocksSection(clocks) {
  if (!clocks.length) return h("section", { class: "panel" }, h("h3", {}, t("case.clocks")), h("p", { class: "muted" }, t("case.clocks_empty")));
  const rows = clocks.map((clock) =>
    h(
      "tr",
      { class: clock.overdue ? "overdue" : null, "data-rule": clock.rule, "data-overdue": String(Boolean(clock.overdue)) },
      h("td", { "data-label": t("case.clock_rule") }, named("deadline_rules", clock.rule, "clock-rule"), clock.kind === "window" ? h("span", { class: "muted" }, ` ${t("case.clock_window")}`) : null, h("div", { class: "muted small" }, `${clock.limit} ${unitLabel(clock.unit)} · ${clock.source}`), clock.extension ? h("div", { class: "small clock-extended" }, t("case.clock_extended", { ...clock.extension, unit: unitLabel(clock.extension.unit) })) : null, clock.pause ? h("div", { class: "small clock-paused" }, t("case.clock_paused", { ...clock.pause, unit: unitLabel(clock.unit), resumed: formatTime(clock.pause.resumed_at_ms) })) : null),
      h("td", { "data-label": t("case.clock_actor") }, named("actors", clock.actor)),
      h("td", { "data-label": t("case.clock_started") }, formatTime(clock.started_at_ms)),
      h("td", { "data-label": t("case.clock_due") }, formatTime(clock.due_at_ms)),
      h("td", { "data-label": t("case.clock_status") }, clock.overdue ? h("span", { class: "badge overdue" }, t("cases.overdue")) : null, countdown(clock.due_at_ms, clock.kind)),
    ),
  );
  return h(
    "section",
    { class: "panel" },
    h("h3", {}, t("case.clocks")),
    h(
      "table",
      { class: "clocks", "data-testid": "clocks" },
      h("thead", {}, h("tr", {}, ["case.clock_rule", "case.clock_actor", "case.clock_started", "case.clock_due", "case.clock_status"].map((key) => h("th", { scope: "col" }, t(key))))),
      h("tbody", {}, rows),
    ),
  );
}

/** Consultations and assistance between organs about the case, each with its clock while open. */
function requestsSection(requests) {
  if (!requests.length) return null;
  const rows = requests.map((view) => {
    const request = view.request;
    return h(
      "tr",
      { class: view.overdue ? "overdue" : null, "data-request-id": request.id, "data-overdue": String(Boolean(view.overdue)) },
      h("td", { "data-label": t("case.request_kind") }, tOr(`request_kind.${request.kind}`, request.kind), h("div", { class: "muted small" }, request.id)),
      h("td", { "data-label": t("case.request_route") }, `${orgLabel(request.from)} → ${orgLabel(request.to)}`),
      h("td", { "data-label": t("case.request_asked") }, formatTime(request.asked.time_ms)),
      h(
        "td",
        { "data-label": t("case.clock_status"), "data-testid": "request-status" },
        request.state === "answered" ? t("case.request_answered", { time: formatTime(request.answer.step.time_ms) }) : null,
        view.clocks.map((clock) =>
          h("div", { "data-rule": clock.rule }, named("deadline_rules", clock.rule, "clock-rule"), " ", clock.overdue ? h("span", { class: "badge overdue" }, t("cases.overdue")) : null, countdown(clock.due_at_ms, "duty")),
        ),
      ),
    );
  });
  return h(
    "section",
    { class: "panel" },
    h("h3", {}, t("case.requests")),
    h(
      "table",
      { class: "clocks", "data-testid": "requests" },
      h("thead", {}, h("tr", {}, ["case.request_kind", "case.request_route", "case.request_asked", "case.clock_status"].map((key) => h("th", { scope: "col" }, t(key))))),
      h("tbody", {}, rows),
    ),
  );
}

function timelineSection(events, rules) {
  const changes = clockChanges(events, rules);
  const items = events.map((event, index) =>
    h(
      "li",
      { "data-action": event.action },
      h("time", {}, formatTime(event.time_ms)),
      h("div", {}, h("strong", { title: event.action, "data-testid": "event-action" }, nameOf("actions", event.action)), " ", h("span", { class: "muted" }, `${stateLabel(event.from)} → ${stateLabel(event.to)}`)),
      h("div", { class: "small" }, t("case.by", { org: orgLabel(event.org), officer: shortId(event.officer) }), event.target ? ` ${t("case.target", { org: orgLabel(event.target) })}` : "", event.outcome ? ` · ${t("case.outcome", { outcome: nameOf("outcomes", event.outcome) })}` : ""),
      changes[index].started.length ? h("div", { class: "small clock-start" }, t("case.started_clock", { rules: changes[index].started.map((rule) => nameOf("deadline_rules", rule)).join("、") })) : null,
      changes[index].stopped.length ? h("div", { class: "small clock-stop" }, t("case.stopped_clock", { rules: changes[index].stopped.map((rule) => nameOf("deadline_rules", rule)).join("、") })) : null,
    ),
  );
  return h("section", { class: "panel" }, h("h3", {}, t("case.timeline")), h("ol", { class: "timeline", "data-testid": "case-timeline" }, items));
}

function attachmentsSection(attachments) {
  if (!attachments.length) return h("section", { class: "panel" }, h("h3", {}, t("case.attachments")), h("p", { class: "muted" }, t("case.attachments_empty")));
  const rows = attachments.map((attachment) =>
    h(
      "tr",
      {},
      h("td", { "data-label": t("case.attachment_kind") }, named("attachments", attachment.kind)),
      h("td", { "data-label": t("case.attachment_action") }, `#${attachment.seq} `, named("actions", attachment.action)),
      h("td", { "data-label": t("case.attachment_class") }, attachment.class ? tOr(`class.${attachment.class}`, attachment.class) : h("span", { class: "muted" }, t("case.attachment_unanchored"))),
      h("td", { "data-label": t("verify.digest") }, h("code", { title: attachment.digest }, shortId(attachment.digest))),
    ),
  );
  return h(
    "section",
    { class: "panel" },
    h("h3", {}, t("case.attachments")),
    h(
      "table",
      { class: "attachments", "data-testid": "attachments" },
      h("thead", {}, h("tr", {}, ["case.attachment_kind", "case.attachment_action", "case.attachment_class", "verify.digest"].map((key) => h("th", { scope: "col" }, t(key))))),
      h("tbody", {}, rows),
    ),
  );
}

// ---------------------------------------------------------------- supervision

/** Organisation kinds that read their region's statistics by default (the `read-stats-regional-*` policies). */
const REGIONAL_SUPERVISORS = ["procuratorate", "government_office"];

/** The statistics slice the signed-in officer may read: a supervisor's region, otherwise its own organisation's cases. */
function statsQuery() {
  const officer = session && session.officer;
  if (!officer) return "";
  const region = orgRegions.get(officer.org);
  if (REGIONAL_SUPERVISORS.includes(officer.org_kind) && region) return `?region=${encodeURIComponent(region)}`;
  return `?org=${encodeURIComponent(officer.org)}`;
}

function caseLink(id) {
  return h("a", { href: `#/cases/${encodeURIComponent(id)}`, "data-testid": "case-link", "data-case-id": id }, id);
}

async function renderSupervision() {
  const title = h("h2", {}, t("sup.title"));
  main.replaceChildren(title, h("p", { class: "muted" }, t("common.loading")));
  if (!sessionToken()) {
    main.replaceChildren(title, signInPrompt());
    return;
  }
  const [flags, stats] = await Promise.all([call("/v1/supervision/flags"), call(`/v1/stats${statsQuery()}`)]);
  if (!flags.ok) {
    main.replaceChildren(title, needsSignIn(flags) ? signInPrompt() : errorNotice(flags));
    return;
  }
  main.replaceChildren(
    title,
    h("p", { class: "lead" }, t("sup.lead")),
    flagsSection(flags.body.flags ?? []),
    overdueByOrgSection(stats),
    stagesSection(stats),
  );
}

function flagsSection(flags) {
  // Open flags first, then newest first (the API's order within each group).
  const ordered = [...flags.filter((flag) => flag.open), ...flags.filter((flag) => !flag.open)];
  if (!ordered.length) return h("section", { class: "panel" }, h("h3", {}, t("sup.flags")), h("p", { class: "muted", "data-testid": "flags-empty" }, t("sup.flags_empty")));
  const rows = ordered.map((flag) =>
    h(
      "tr",
      { class: flag.open ? "overdue" : null, "data-testid": "flag", "data-case-id": flag.case_id, "data-kind": flag.kind, "data-open": String(Boolean(flag.open)) },
      h("td", { "data-label": t("cases.id") }, caseLink(flag.case_id)),
      h("td", { "data-label": t("sup.flag_kind") }, h("span", { class: "badge overdue", "data-testid": "flag-kind", title: flag.kind }, nameOf("flag_kinds", flag.kind)), h("div", { class: "muted small" }, named("domains", flag.domain))),
      h("td", { "data-label": t("sup.flag_rules") }, ruleMatchList(flag.rules ?? [])),
      h("td", { "data-label": t("sup.flag_owner") }, orgLabel(flag.owner), h("div", { class: "muted small" }, flag.region)),
      h("td", { "data-label": t("sup.flag_days") }, h("span", { "data-testid": "flag-days" }, t("sup.days", { days: flag.days_since_raised })), h("div", { class: "muted small" }, formatTime(flag.raised_at_ms))),
      h("td", { "data-label": t("sup.flag_status") }, flag.open ? t("sup.open") : t("sup.resolved")),
    ),
  );
  return h(
    "section",
    { class: "panel" },
    h("h3", {}, t("sup.flags")),
    h(
      "table",
      { class: "cases flags", "data-testid": "flags" },
      h("thead", {}, h("tr", {}, ["cases.id", "sup.flag_kind", "sup.flag_rules", "sup.flag_owner", "sup.flag_days", "sup.flag_status"].map((key) => h("th", { scope: "col" }, t(key))))),
      h("tbody", {}, rows),
    ),
  );
}

/** Overdue duties by the organisation that must act and rule: the `overdue` rows of GET /v1/stats (one request, every case of the slice). */
function overdueByOrgSection(stats) {
  const heading = h("h3", {}, t("sup.overdue"));
  if (!stats.ok) return h("section", { class: "panel" }, heading, errorNotice(stats));
  const overdue = stats.body.overdue ?? [];
  if (!overdue.length) return h("section", { class: "panel" }, heading, h("p", { class: "muted", "data-testid": "overdue-empty" }, t("sup.overdue_empty")));
  const sorted = [...overdue].sort((a, b) => Number(b.count) - Number(a.count) || String(a.org ?? a.party).localeCompare(String(b.org ?? b.party)));
  const rows = sorted.map((group) =>
    h(
      "tr",
      { "data-testid": "overdue-group", "data-org": group.org ?? group.party, "data-rule": group.rule },
      h("td", { "data-label": t("sup.overdue_org") }, group.org ? orgLabel(group.org) : named("actors", group.party)),
      h("td", { "data-label": t("sup.overdue_rule") }, named("deadline_rules", group.rule)),
      h("td", { "data-label": t("sup.overdue_count") }, h("span", { "data-testid": "overdue-count" }, String(group.count))),
    ),
  );
  return h(
    "section",
    { class: "panel" },
    heading,
    h(
      "table",
      { class: "cases", "data-testid": "overdue-by-org" },
      h("thead", {}, h("tr", {}, ["sup.overdue_org", "sup.overdue_rule", "sup.overdue_count"].map((key) => h("th", { scope: "col" }, t(key))))),
      h("tbody", {}, rows),
    ),
    h("p", { class: "small" }, h("a", { href: "#/cases", "data-testid": "overdue-cases-link" }, t("sup.overdue_cases_link"))),
  );
}

/** Stage durations from GET /v1/stats; a node without it says so. */
function stagesSection(stats) {
  const heading = h("h3", {}, t("sup.stages"));
  const stages = stats.ok && stats.body && Array.isArray(stats.body.stage_days) ? stats.body.stage_days : null;
  if (!stages) return h("section", { class: "panel" }, heading, notice("info", "stats-unavailable", t("sup.stages_unavailable")));
  const rows = stages.map((stage) =>
    h(
      "tr",
      { "data-testid": "stage", "data-stage": stage.stage },
      h("td", { "data-label": t("sup.stage") }, stateLabel(stage.stage)),
      h("td", { "data-label": t("sup.median_days") }, String(stage.median_days)),
      h("td", { "data-label": t("sup.stage_cases") }, String(stage.cases)),
    ),
  );
  return h(
    "section",
    { class: "panel" },
    heading,
    h(
      "table",
      { class: "cases", "data-testid": "stages" },
      h("thead", {}, h("tr", {}, ["sup.stage", "sup.median_days", "sup.stage_cases"].map((key) => h("th", { scope: "col" }, t(key))))),
      h("tbody", {}, rows),
    ),
  );
}

// ---------------------------------------------------------------- inspections

const USCC_PATTERN = /^[0-9A-Z]{18}$/;

function renderInspections(entity) {
  const input = h("input", { type: "text", name: "entity", value: entity ?? "", maxlength: 18, autocomplete: "off", spellcheck: "false", placeholder: "91330100MA2H3K4L50", "data-testid": "entity-input", "aria-label": t("insp.entity") });
  const results = h("div", { "data-testid": "inspection-results" });
  const form = h(
    "form",
    {
      class: "search",
      onsubmit: (event) => {
        event.preventDefault();
        const value = input.value.trim().toUpperCase();
        location.hash = `#/inspections/${encodeURIComponent(value)}`;
      },
    },
    h("label", {}, t("insp.entity"), " ", input),
    h("button", { type: "submit", "data-testid": "entity-search" }, t("insp.search")),
  );
  main.replaceChildren(h("section", { class: "panel" }, h("h2", {}, t("insp.title")), h("p", { class: "lead" }, t("insp.lead")), form), results);
  if (entity) showInspections(entity, results);
}

function inspectionStatus(view) {
  if (view.valid && view.recognised) return ["valid-recognised", "success", t("insp.valid_recognised")];
  if (view.valid) return ["valid", "info", t("insp.valid")];
  return ["invalid", "warning", t("insp.invalid")];
}

async function showInspections(entity, results) {
  if (!USCC_PATTERN.test(entity)) {
    results.replaceChildren(notice("warning", "bad-uscc", t("insp.bad_uscc")));
    return;
  }
  if (!sessionToken()) {
    results.replaceChildren(signInPrompt());
    return;
  }
  results.replaceChildren(h("p", { class: "muted" }, t("common.loading")));
  const answer = await call(`/v1/inspections?entity=${encodeURIComponent(entity)}`);
  if (!answer.ok) {
    results.replaceChildren(needsSignIn(answer) ? signInPrompt() : errorNotice(answer));
    return;
  }
  const views = answer.body.results ?? [];
  if (!views.length) {
    results.replaceChildren(h("p", { class: "muted", "data-testid": "inspections-empty" }, t("insp.empty")));
    return;
  }
  const byMatter = new Map();
  for (const view of views) {
    const matter = view.inspection.matter;
    if (!byMatter.has(matter)) byMatter.set(matter, []);
    byMatter.get(matter).push(view);
  }
  const order = { "valid-recognised": 0, valid: 1, invalid: 2 };
  const sections = [...byMatter.entries()].map(([matter, list]) => {
    list.sort((a, b) => order[inspectionStatus(a)[0]] - order[inspectionStatus(b)[0]]);
    return h("section", { class: "panel", "data-matter": matter }, h("h3", {}, t("insp.matter", { matter })), list.map(inspectionCard));
  });
  results.replaceChildren(...sections);
}

// A deadline's unit in the reader's language (`calendar_day` → 日).
function unitLabel(unit) {
  return tOr(`unit.${unit}`, unit);
}

// A re-test (复检) replaces the result it re-tests: say which way it goes.
function retestText(inspection) {
  if (inspection.retest_of) return t("insp.retest_of", { id: inspection.retest_of });
  if (!inspection.retest) return null;
  if (inspection.retest.result) return t("insp.retest_replaced", { id: inspection.retest.result });
  return t("insp.retest_pending", { date: inspection.retest.requested_on });
}

function inspectionCard(view) {
  const inspection = view.inspection;
  const [status, kind, label] = inspectionStatus(view);
  const lab = inspection.lab ? `${inspection.lab.uscc} / CMA ${inspection.lab.cma_number}` : t("common.none");
  return h(
    "article",
    { class: `inspection ${status}`, "data-testid": "inspection", "data-status": status, "data-id": inspection.id },
    h("header", {}, h("span", { class: `badge ${kind}` }, label), " ", h("code", {}, inspection.id)),
    h(
      "table",
      { class: "facts" },
      h(
        "tbody",
        {},
        row(t("insp.conclusion"), tOr(`conclusion.${inspection.conclusion}`, inspection.conclusion)),
        row(t("insp.report_date"), String(inspection.report_date)),
        row(t("insp.issuer"), orgLabel(inspection.issuer)),
        row(t("insp.lab"), lab),
        row(t("insp.scope"), inspection.scope || t("common.none")),
        row(t("insp.recognised_by"), view.recognised_by.length ? view.recognised_by.map(orgLabel).join("；") : t("common.none"), "recognised-by"),
        view.disputed_by.length ? row(t("insp.disputed_by"), view.disputed_by.map(orgLabel).join("；")) : null,
        retestText(inspection) ? row(t("insp.retest"), retestText(inspection), "retest") : null,
        view.problem_texts.length ? row(t("insp.problems"), h("ul", {}, view.problem_texts.map((text) => h("li", {}, text)))) : null,
      ),
    ),
  );
}

// ---------------------------------------------------------------- clues

/** One clue: its route, state, where it ended up, and its running clocks with countdowns. */
function clueRow(view) {
  const clue = view.clue;
  const forwarded = view.final_clue !== clue.id;
  return h(
    "tr",
    { class: view.overdue ? "overdue" : null, "data-clue-id": clue.id, "data-overdue": String(Boolean(view.overdue)) },
    h("td", { "data-label": t("clues.id") }, clue.id, clue.duty_crime ? h("span", { class: "badge" }, t("clues.duty_crime")) : null),
    h("td", { "data-label": t("clues.source") }, tOr(`clue_source.${clue.source}`, clue.source), h("div", { class: "muted small" }, clue.matter)),
    h("td", { "data-label": t("clues.from") }, orgLabel(clue.from)),
    h("td", { "data-label": t("clues.to") }, orgLabel(clue.to)),
    h(
      "td",
      { "data-label": t("clues.state"), "data-testid": "clue-state" },
      tOr(`clue_state.${clue.state}`, clue.state),
      forwarded ? h("div", { class: "small", "data-testid": "clue-final" }, t("clues.now", { org: orgLabel(view.final_org), state: tOr(`clue_state.${view.final_state}`, view.final_state) })) : null,
      view.final_case ? h("div", { class: "small" }, h("a", { href: `#/cases/${encodeURIComponent(view.final_case)}` }, t("clues.case", { case: view.final_case }))) : null,
    ),
    h(
      "td",
      { "data-label": t("clues.clock") },
      view.clocks.map((clock) =>
        h(
          "div",
          { "data-rule": clock.rule },
          named("deadline_rules", clock.rule, "clock-rule"),
          " ",
          clock.overdue ? h("span", { class: "badge overdue", "data-testid": "overdue-badge" }, t("cases.overdue")) : null,
          countdown(clock.due_at_ms, "duty"),
        ),
      ),
    ),
  );
}

function clueTable(views, testId) {
  if (!views.length) return h("p", { class: "muted", "data-testid": `${testId}-empty` }, t("clues.empty"));
  return h(
    "table",
    { class: "cases", "data-testid": testId },
    h("thead", {}, h("tr", {}, ["clues.id", "clues.source", "clues.from", "clues.to", "clues.state", "clues.clock"].map((key) => h("th", { scope: "col" }, t(key))))),
    h("tbody", {}, views.map(clueRow)),
  );
}

/** The open consultations and assistance the reader's organisation asked or was asked, with their clocks. */
function openRequestsSection(requests) {
  const rows = requests.map((view) => {
    const request = view.request;
    const about = request.about.case ?? request.about.clue ?? "";
    return h(
      "tr",
      { class: view.overdue ? "overdue" : null, "data-request-id": request.id, "data-overdue": String(Boolean(view.overdue)) },
      h("td", { "data-label": t("case.request_kind") }, tOr(`request_kind.${request.kind}`, request.kind), h("div", { class: "muted small" }, request.id)),
      h("td", { "data-label": t("requests.about") }, about.startsWith("CASE-") ? h("a", { href: `#/cases/${encodeURIComponent(about)}` }, about) : about),
      h("td", { "data-label": t("case.request_route") }, `${orgLabel(request.from)} → ${orgLabel(request.to)}`),
      h(
        "td",
        { "data-label": t("case.clock_status") },
        view.clocks.map((clock) =>
          h("div", { "data-rule": clock.rule }, named("deadline_rules", clock.rule, "clock-rule"), " ", clock.overdue ? h("span", { class: "badge overdue" }, t("cases.overdue")) : null, countdown(clock.due_at_ms, "duty")),
        ),
      ),
    );
  });
  return h(
    "section",
    { class: "panel" },
    h("h3", {}, t("requests.open")),
    rows.length
      ? h(
          "table",
          { class: "clocks", "data-testid": "open-requests" },
          h("thead", {}, h("tr", {}, ["case.request_kind", "requests.about", "case.request_route", "case.clock_status"].map((key) => h("th", { scope: "col" }, t(key))))),
          h("tbody", {}, rows),
        )
      : h("p", { class: "muted", "data-testid": "open-requests-empty" }, t("requests.none")),
  );
}

async function renderClues() {
  main.replaceChildren(h("h2", {}, t("clues.title")), h("p", { class: "muted" }, t("common.loading")));
  if (!sessionToken()) {
    main.replaceChildren(h("h2", {}, t("clues.title")), signInPrompt());
    return;
  }
  const [incoming, outgoing, requests] = await Promise.all([
    call("/v1/clues?direction=incoming"),
    call("/v1/clues?direction=outgoing"),
    call("/v1/requests?state=open"),
  ]);
  const failed = [incoming, outgoing, requests].find((answer) => !answer.ok);
  if (failed) {
    main.replaceChildren(h("h2", {}, t("clues.title")), needsSignIn(failed) ? signInPrompt() : errorNotice(failed));
    return;
  }
  main.replaceChildren(
    h("h2", {}, t("clues.title")),
    h("p", { class: "lead" }, t("clues.lead")),
    h("section", { class: "panel" }, h("h3", {}, t("clues.incoming")), clueTable(incoming.body.clues ?? [], "clues-incoming")),
    h("section", { class: "panel" }, h("h3", {}, t("clues.outgoing")), clueTable(outgoing.body.clues ?? [], "clues-outgoing")),
    openRequestsSection(requests.body.requests ?? []),
    incoming.body.complete && outgoing.body.complete && requests.body.complete ? null : notice("info", "clues-partial", t("clues.partial")),
  );
}

// ---------------------------------------------------------------- frame

/** A draw's rows for one table: entity, class, inspectors, recusals and result. */
function drawRows(draw, results) {
  return draw.inspections.map((inspection, number) => {
    const result = results.find((found) => found.inspection === number);
    return h(
      "tr",
      { "data-inspection": String(number) },
      h("td", { "data-label": "#" }, String(number)),
      h("td", { "data-label": t("draws.entity") }, inspection.entity ?? t("draws.unnamed")),
      h("td", { "data-label": t("draws.class") }, String(inspection.risk_class)),
      h(
        "td",
        { "data-label": t("draws.inspectors") },
        inspection.inspectors.map((key) => h("div", { class: "mono small" }, key)),
        inspection.recusals.map((recusal) => h("div", { class: "muted small", "data-testid": "recusal" }, t("draws.recused", { officer: recusal.officer.slice(0, 8), replacement: recusal.replacement.slice(0, 8) }))),
      ),
      h(
        "td",
        { "data-label": t("draws.result") },
        result ? h("span", { "data-finding": result.finding }, tOr(`draw_finding.${result.finding}`, result.finding), result.case ? h("div", {}, h("a", { href: `#/cases/${encodeURIComponent(result.case)}` }, result.case)) : null) : h("span", { class: "muted" }, t("draws.no_result")),
      ),
    );
  });
}

/**
 * Re-runs the draw in this browser (docs/draw.md §11.3) from the snapshot's
 * rows: the copy in the node's vault, or a file the reader chooses.
 */
function rerunPanel(view) {
  const verdict = h("div", { "data-testid": "rerun-result" });
  const show = async (rowsText) => {
    verdict.removeAttribute("data-status");
    verdict.replaceChildren(h("p", { class: "muted" }, t("common.loading")));
    const outcome = await rerunDraw(view, rowsText);
    verdict.setAttribute("data-status", outcome.status);
    verdict.replaceChildren(notice(outcome.status === "match" ? "success" : "error", `rerun-${outcome.status}`, outcome.text), outcome.details.length ? h("ul", {}, outcome.details.map((line) => h("li", {}, line))) : null);
  };
  const fromVault = h("button", { type: "button", "data-testid": "rerun-vault" }, t("draws.rerun_vault"));
  fromVault.addEventListener("click", async () => {
    const answer = await download(`/v1/vault/${view.snapshot.rows_file}`);
    if (!answer.ok) {
      verdict.setAttribute("data-status", "unavailable");
      verdict.replaceChildren(notice("info", "rerun-unavailable", t("draws.rerun_no_copy")));
      return;
    }
    await show(await answer.blob.text());
  });
  const input = h("input", { type: "file", accept: ".json,application/json", "data-testid": "rerun-file" });
  input.addEventListener("change", async () => {
    const file = input.files && input.files[0];
    if (file) await show(await file.text());
  });
  return h("section", { class: "panel" }, h("h3", {}, t("draws.rerun")), h("p", { class: "muted" }, t("draws.rerun_lead")), fromVault, " ", input, verdict);
}

/** The browser's own re-run (node/web/draw.js), compared with what the chain recorded. */
async function rerunDraw(view, rowsText) {
  const draw = view.draw;
  try {
    const lib = await import("./draw.js");
    const entities = JSON.parse(rowsText);
    const reveals = draw.committers.map((committer) => [committer.org, committer.nonce]);
    const problems = draw.committers
      .filter((committer) => lib.commitment(committer.nonce, draw.id, committer.org) !== committer.commitment)
      .map((committer) => t("draws.rerun_commitment", { org: committer.org }));
    const seed = lib.seedOf(draw.seed_block[1], reveals);
    if (seed !== draw.seed) problems.push(t("draws.rerun_seed"));
    const recusals = draw.inspections.flatMap((inspection, number) => inspection.recusals.map((recusal) => ({ inspection: number, officer: recusal.officer })));
    const rerun = lib.rerun({ seed, plan: draw.plan, date: draw.date, entities, inspectors: view.inspectors, recusals });
    const claimed = {
      entityRoot: draw.entity_root,
      inspectorRoot: draw.inspector_root,
      classes: draw.classes,
      inspections: draw.inspections.map((inspection) => ({ entity: inspection.entity, risk_class: inspection.risk_class, inspectors: inspection.inspectors, recusals: inspection.recusals })),
    };
    problems.push(...lib.compareDraw(claimed, rerun));
    return problems.length
      ? { status: "mismatch", text: t("draws.rerun_mismatch"), details: problems }
      : { status: "match", text: t("draws.rerun_match", { count: draw.inspections.length, rows: entities.length }), details: [] };
  } catch (error) {
    return { status: "mismatch", text: t("draws.rerun_failed"), details: [String(error && error.message ? error.message : error)] };
  }
}

async function renderDraw(id) {
  main.replaceChildren(h("h2", {}, id), h("p", { class: "muted" }, t("common.loading")));
  const answer = await call(`/v1/draws/${encodeURIComponent(id)}`);
  if (!answer.ok) {
    main.replaceChildren(h("h2", {}, id), needsSignIn(answer) ? signInPrompt() : errorNotice(answer));
    return;
  }
  const view = answer.body;
  const draw = view.draw;
  const committers = draw.committers.map((committer) =>
    h("li", { "data-org": committer.org }, orgLabel(committer.org), " ", h("span", { class: "muted" }, committer.nonce ? t("draws.revealed") : committer.commitment ? t("draws.committed") : t("draws.waiting"))),
  );
  main.replaceChildren(
    h("h2", {}, t("draws.title_one", { id: draw.id })),
    h(
      "section",
      { class: "panel" },
      h("p", { "data-testid": "draw-state", "data-state": draw.state }, tOr(`draw_state.${draw.state}`, draw.state), view.due_at_ms ? h("span", {}, " ", view.overdue ? h("span", { class: "badge overdue" }, t("cases.overdue")) : null, countdown(view.due_at_ms, "duty")) : null),
      h("p", {}, t("draws.item", { item: draw.plan.items.map((i) => `${i.item}（${orgLabel(i.department)}）`).join("、"), date: String(draw.date) }), " ", h("span", { "data-testid": "draw-period" }, t("draws.period", { from: String(draw.period.from), until: String(draw.period.until) }))),
      h("p", {}, t("draws.departments"), " ", draw.plan.departments.map(orgLabel).join("、"), "；", t("draws.witnesses"), " ", draw.witnesses.map(orgLabel).join("、")),
      draw.missing.length ? notice("error", "draw-failed", t("draws.failed", { orgs: draw.missing.map(orgLabel).join("、") })) : null,
      h("ul", { class: "plain" }, committers),
      draw.seed ? h("p", { class: "mono small", "data-testid": "draw-seed" }, `seed ${draw.seed}`) : null,
    ),
    h(
      "section",
      { class: "panel" },
      h("h3", {}, t("draws.inspections")),
      draw.inspections.length
        ? h(
            "table",
            { class: "clocks", "data-testid": "draw-inspections" },
            h("thead", {}, h("tr", {}, ["#", t("draws.entity"), t("draws.class"), t("draws.inspectors"), t("draws.result")].map((label) => h("th", { scope: "col" }, label)))),
            h("tbody", {}, drawRows(draw, view.results)),
          )
        : h("p", { class: "muted" }, t("draws.not_drawn")),
    ),
    draw.state === "drawn" ? rerunPanel(view) : null,
  );
}

async function renderDraws(id) {
  if (!sessionToken()) {
    main.replaceChildren(h("h2", {}, t("draws.title")), signInPrompt());
    return;
  }
  if (id) return renderDraw(id);
  main.replaceChildren(h("h2", {}, t("draws.title")), h("p", { class: "muted" }, t("common.loading")));
  const answer = await call("/v1/draws");
  if (!answer.ok) {
    main.replaceChildren(h("h2", {}, t("draws.title")), needsSignIn(answer) ? signInPrompt() : errorNotice(answer));
    return;
  }
  const rows = answer.body.draws.map((draw) =>
    h(
      "tr",
      { "data-draw-id": draw.id },
      h("td", {}, h("a", { href: `#/draws/${encodeURIComponent(draw.id)}` }, draw.id)),
      h("td", {}, draw.items.join("、")),
      h("td", {}, tOr(`draw_state.${draw.state}`, draw.state)),
      h("td", {}, String(draw.inspections)),
      h("td", {}, formatTime(draw.time_ms)),
    ),
  );
  main.replaceChildren(
    h("h2", {}, t("draws.title")),
    h("p", { class: "lead" }, t("draws.lead")),
    rows.length
      ? h("table", { class: "clocks", "data-testid": "draws" }, h("thead", {}, h("tr", {}, ["draws.id", "draws.item_column", "draws.state", "draws.count", "draws.planned"].map((key) => h("th", { scope: "col" }, t(key))))), h("tbody", {}, rows))
      : h("p", { class: "muted" }, t("draws.none")),
  );
}

function renderFrame() {
  document.title = t("app.title");
  document.getElementById("app-title").textContent = t("app.title");
  document.getElementById("app-subtitle").textContent = t("app.subtitle");
  for (const link of document.querySelectorAll("[data-nav]")) {
    link.textContent = t(`nav.${link.getAttribute("data-nav")}`);
  }
  document.getElementById("language").textContent = t("lang.switch");
  renderSession();
}

function route() {
  const path = location.hash.replace(/^#/, "") || "/verify";
  const [, section, rest] = path.split("/");
  for (const link of document.querySelectorAll("[data-nav]")) {
    link.classList.toggle("active", link.getAttribute("data-nav") === section);
  }
  if (section === "clues") renderClues();
  else if (section === "draws") renderDraws(rest ? decodeURIComponent(rest) : "");
  else if (section === "cases" && rest) renderCase(decodeURIComponent(rest));
  else if (section === "cases") renderCases();
  else if (section === "supervision") renderSupervision();
  else if (section === "inspections") renderInspections(rest ? decodeURIComponent(rest) : "");
  else renderVerify();
}

async function start() {
  setLanguage(currentLanguage());
  adoptTokenFromFragment();
  document.getElementById("language").addEventListener("click", () => {
    setLanguage(currentLanguage() === "zh" ? "en" : "zh");
    renderFrame();
    route();
  });
  window.addEventListener("hashchange", () => {
    if (adoptTokenFromFragment()) loadSession().then(renderSession);
    route();
  });
  const [orgs, names] = await Promise.all([call("/v1/orgs"), call("/v1/names"), loadSession()]);
  if (orgs.ok && Array.isArray(orgs.body)) {
    orgNames = new Map(orgs.body.map((org) => [org.id, org.name]));
    orgRegions = new Map(orgs.body.map((org) => [org.id, org.region]));
  }
  if (names.ok) setNames(names.body);
  renderFrame();
  route();
  setInterval(tick, 1000);
  document.body.setAttribute("data-ready", "true");
}

start();
