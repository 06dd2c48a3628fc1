// Re-runs a random inspection draw (双随机、一公开) in the browser, byte by
// byte as docs/draw.md (version 2) specifies, so that anyone holding the two
// directory snapshots and the seed can check the entities and inspectors the
// chain recorded without trusting the node. Section numbers below (§n) are
// those of docs/draw.md. Plain ES module, no build step.
//
// Text (ids, codes) is ASCII by the specification and every piece of text is
// checked to be ASCII before use; for ASCII strings JavaScript's `<` on
// strings (UTF-16 code units) is exactly the byte order the document asks
// for, so plain `<` is used for sorting and order checks.

import { blake3 } from "./vendor/noble-hashes/blake3.js";

// §2: BLAKE3 derive_key contexts; the last three are the ledger's Merkle tree.
const CONTEXTS = {
  entity_row: "xianjie 2026-12 random draw entity row v1",
  inspector_row: "xianjie 2026-12 random draw inspector row v1",
  commitment: "xianjie 2026-12 random draw commitment v1",
  seed: "xianjie 2026-12 random draw seed v1",
  stream: "xianjie 2026-12 random draw stream v2",
  leaf: "xianjie 2026-11 merkle leaf v1",
  node: "xianjie 2026-11 merkle node v1",
  root: "xianjie 2026-11 merkle root v1",
};

const TWO_64 = 1n << 64n;

// ---------------------------------------------------------------------------
// Bytes (§1)

/** The bytes of an ASCII string; anything else is refused, because the
 *  specification's ids are ASCII and `<` is only byte order for ASCII. */
function ascii(text, what) {
  if (typeof text !== "string") throw new Error(`${what} must be text`);
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code > 0x7f) throw new Error(`${what} is not ASCII: ${JSON.stringify(text)}`);
    bytes[i] = code;
  }
  return bytes;
}

/** Printable ASCII without space (0x21–0x7E), `min`–`max` characters (§3.1, §3.2, §6). */
function printable(text, min, max, what) {
  const bytes = ascii(text, what);
  const ok = bytes.length >= min && bytes.length <= max && bytes.every((b) => b >= 0x21 && b <= 0x7e);
  if (!ok) throw new Error(`invalid_row: ${what} must be ${min}–${max} printable ASCII characters: ${JSON.stringify(text)}`);
  return bytes;
}

function toHex(bytes) {
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join("");
}

/** Hex to bytes, with the length checked so that a typo is not silently hashed. */
function fromHex(hex, length, what) {
  if (typeof hex !== "string" || hex.length !== 2 * length || !/^[0-9a-fA-F]*$/.test(hex)) {
    throw new Error(`${what} must be ${2 * length} hex characters`);
  }
  const bytes = new Uint8Array(length);
  for (let i = 0; i < length; i++) bytes[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return bytes;
}

function concat(parts) {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/** Checks that `x` is an integer in 0 … max, since the encodings have fixed widths. */
function uint(x, max, what) {
  if (!Number.isSafeInteger(x) || x < 0 || x > max) throw new Error(`${what} must be an integer in 0–${max}`);
  return x;
}

// Arithmetic rather than bit operators: those are 32-bit signed in JavaScript.
function be32(x) {
  uint(x, 0xffffffff, "a be32 value");
  return Uint8Array.of(Math.floor(x / 2 ** 24) % 256, Math.floor(x / 2 ** 16) % 256, Math.floor(x / 256) % 256, x % 256);
}

function be64(x) {
  const bytes = new Uint8Array(8);
  let value = BigInt(x);
  for (let i = 7; i >= 0; i--) {
    bytes[i] = Number(value & 0xffn);
    value >>= 8n;
  }
  return bytes;
}

/** `lp(s) = be32(len(s)) ‖ s`. */
function lp(bytes) {
  return concat([be32(bytes.length), bytes]);
}

/** Unsigned LEB128: low 7 bits first, high bit set on all but the last byte. */
function varint(x) {
  uint(x, Number.MAX_SAFE_INTEGER, "a varint value");
  const out = [];
  while (x >= 0x80) {
    out.push((x % 0x80) | 0x80);
    x = Math.floor(x / 0x80);
  }
  out.push(x);
  return Uint8Array.from(out);
}

/** `str(s) = varint(len(s)) ‖ s`, the canonical string encoding. */
function str(bytes) {
  return concat([varint(bytes.length), bytes]);
}

// Context bytes are encoded once: the vendored BLAKE3 takes the context as bytes.
const CONTEXT_BYTES = Object.fromEntries(Object.entries(CONTEXTS).map(([name, text]) => [name, ascii(text, "context")]));

/** `H_x(m)`: BLAKE3 derive_key with the context of §2, 32 bytes. */
function hash(name, message) {
  return blake3(message, { context: CONTEXT_BYTES[name] });
}

// ---------------------------------------------------------------------------
// Snapshots (§3)

function entityEncoding(row) {
  return concat([
    Uint8Array.of(0x01),
    str(printable(row.entity, 1, 64, "entity")),
    str(printable(row.industry, 1, 32, "industry")),
    Uint8Array.of(uint(row.risk_class, 255, "risk_class")),
  ]);
}

function inspectorEncoding(row) {
  const department = ascii(row.department, "department");
  if (!/^[a-z0-9-]{1,32}$/.test(row.department)) throw new Error(`invalid_row: department ${JSON.stringify(row.department)}`);
  const scopes = row.scopes;
  if (!Array.isArray(scopes) || scopes.length < 1 || scopes.length > 64) throw new Error("invalid_row: 1–64 scopes");
  const scopeBytes = scopes.map((scope) => str(printable(scope, 1, 48, "scope")));
  for (let i = 1; i < scopes.length; i++) {
    if (!(scopes[i - 1] < scopes[i])) throw new Error(`invalid_row: scopes of ${row.officer} not sorted`);
  }
  uint(row.valid_from, 0xffffffff, "valid_from");
  uint(row.valid_until, 0xffffffff, "valid_until");
  if (row.valid_until < row.valid_from) throw new Error(`invalid_row: ${row.officer} valid_until before valid_from`);
  return concat([
    Uint8Array.of(0x01),
    fromHex(row.officer, 20, "officer"),
    str(department),
    varint(scopes.length),
    ...scopeBytes,
    varint(row.valid_from),
    varint(row.valid_until),
  ]);
}

/** The entity row encoding of §3.1, in hex (for checking against the document). */
export function entityRowEncoding(row) {
  return toHex(entityEncoding(row));
}

/** The inspector row encoding of §3.2, in hex (for checking against the document). */
export function inspectorRowEncoding(row) {
  return toHex(inspectorEncoding(row));
}

/** MTH over leaves[from … to), split at the largest power of two below the count (RFC 6962). */
function mth(leaves, from, to) {
  const count = to - from;
  if (count === 1) return leaves[from];
  let split = 1;
  while (split * 2 < count) split *= 2;
  return hash("node", concat([mth(leaves, from, from + split), mth(leaves, from + split, to)]));
}

/** The ledger's Merkle root over row hashes (§3.3), the empty tree included. */
function merkleRoot(rowHashes) {
  const n = rowHashes.length;
  const top = n === 0 ? hash("node", new Uint8Array(0)) : mth(rowHashes.map((h) => hash("leaf", h)), 0, n);
  return toHex(hash("root", concat([be64(n), top])));
}

/** Refuses rows out of order or repeated, so that a snapshot has one root (§3.3). */
function checkOrder(rows, keyOf, idOf, what) {
  const seen = new Set();
  for (let i = 0; i < rows.length; i++) {
    const id = idOf(rows[i]);
    if (seen.has(id)) throw new Error(`duplicate_row: ${what} ${id} appears twice`);
    seen.add(id);
    if (i > 0 && !precedes(keyOf(rows[i - 1]), keyOf(rows[i]))) {
      throw new Error(`rows_not_sorted: ${what} row ${i} (${id}) does not come after row ${i - 1}`);
    }
  }
}

/** Lexicographic `<` on key tuples of numbers and ASCII strings. */
function precedes(a, b) {
  for (let i = 0; i < a.length; i++) {
    if (a[i] < b[i]) return true;
    if (a[i] > b[i]) return false;
  }
  return false;
}

/** The entity snapshot root: rows sorted by risk class, then entity id (§3.1, §3.3). */
export function entityRoot(rows) {
  const hashes = rows.map((row) => hash("entity_row", entityEncoding(row)));
  checkOrder(rows, (row) => [row.risk_class, row.entity], (row) => row.entity, "entity");
  return merkleRoot(hashes);
}

/** The inspector snapshot root: rows sorted by officer key id (§3.2, §3.3). */
export function inspectorRoot(rows) {
  const hashes = rows.map((row) => hash("inspector_row", inspectorEncoding(row)));
  // Lowercase hex sorts like the 20 bytes it encodes.
  checkOrder(rows, (row) => [row.officer.toLowerCase()], (row) => row.officer.toLowerCase(), "officer");
  return merkleRoot(hashes);
}

// ---------------------------------------------------------------------------
// Commitments and the seed (§4)

/** `H_commitment(lp(draw_id) ‖ lp(org) ‖ nonce)`. */
export function commitment(nonceHex, drawId, org) {
  const nonce = fromHex(nonceHex, 32, "nonce");
  return toHex(hash("commitment", concat([lp(ascii(drawId, "draw id")), lp(ascii(org, "organisation")), nonce])));
}

/** The seed from the seed block's hash and the reveals, sorted by organisation first. */
export function seedOf(blockHashHex, reveals) {
  if (reveals.length < 2) throw new Error("too_few_reveals: a draw needs at least 2 reveals");
  if (reveals.length > 64) throw new Error("too_many_reveals: a draw takes at most 64 reveals");
  const sorted = reveals
    .map(([org, nonceHex]) => ({ org, bytes: ascii(org, "organisation"), nonce: fromHex(nonceHex, 32, `nonce of ${org}`) }))
    .sort((a, b) => (a.org < b.org ? -1 : a.org > b.org ? 1 : 0));
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i - 1].org === sorted[i].org) throw new Error(`duplicate_reveal: ${sorted[i].org} revealed twice`);
  }
  const parts = [fromHex(blockHashHex, 32, "block hash"), be32(sorted.length)];
  for (const reveal of sorted) parts.push(lp(reveal.bytes), reveal.nonce);
  return toHex(hash("seed", concat(parts)));
}

// ---------------------------------------------------------------------------
// The random stream and the sampler (§5)

/** A sub-stream: words `H_stream(seed ‖ label ‖ be64(c))`, each used once, in order. */
class Stream {
  constructor(seed, label) {
    this.prefix = concat([seed, label]);
    this.counter = 0;
  }

  /** The next word: the first 8 bytes of the hash, big-endian, as a BigInt (64 bits do not fit a Number). */
  word() {
    const digest = hash("stream", concat([this.prefix, be64(this.counter++)]));
    let w = 0n;
    for (let i = 0; i < 8; i++) w = (w << 8n) | BigInt(digest[i]);
    return w;
  }

  /** Uniform in 0 … b−1 by rejection: words at or above the last multiple of b are discarded. */
  below(b) {
    const big = BigInt(b);
    if (big < 1n) throw new Error("below(b) needs b ≥ 1");
    const zone = TWO_64 - (TWO_64 % big);
    for (;;) {
      const w = this.word();
      if (w < zone) return Number(w % big);
    }
  }

  /** The first k steps of Fisher–Yates over 0 … n−1, keeping only moved entries (n may be large). */
  shuffle(n, k) {
    const moved = new Map();
    const at = (i) => (moved.has(i) ? moved.get(i) : i);
    const picks = [];
    for (let i = 0; i < k; i++) {
      const j = i + this.below(n - i);
      const pick = at(j);
      moved.set(j, at(i));
      moved.set(i, pick);
      picks.push(pick);
    }
    return picks;
  }
}

function label(text, ...tail) {
  return concat([ascii(text, "label"), ...tail]);
}

// ---------------------------------------------------------------------------
// The draw (§6–§8)

/** Integer dates as yyyymmdd; the calendar check keeps a typo from widening eligibility. */
function checkDate(date) {
  uint(date, 99991231, "date");
  const year = Math.floor(date / 10000);
  const month = Math.floor(date / 100) % 100;
  const day = date % 100;
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  const days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1];
  if (year < 1000 || year > 9999 || month < 1 || month > 12 || day < 1 || day > days) throw new Error(`invalid_draw_date: ${date}`);
}

/** An organisation id (§3.2): 1–32 characters of a-z, 0-9 and -. */
function isOrg(text) {
  return typeof text === "string" && /^[a-z0-9-]{1,32}$/.test(text);
}

/** The plan's rules of §6, refused with the codes of §9 (in the ledger's order). */
function checkPlan(plan) {
  const items = plan.items;
  if (!Array.isArray(items) || items.length < 1 || items.length > 16) throw new Error("invalid_plan: 1–16 items");
  for (let i = 0; i < items.length; i++) {
    const item = items[i];
    if (item === null || typeof item !== "object") throw new Error("invalid_plan: an item is a pair { item, department }");
    try {
      printable(item.item, 1, 48, "item");
    } catch (error) {
      throw new Error(`invalid_plan: item code ${JSON.stringify(item.item)} must be 1–48 printable ASCII characters`);
    }
    if (i > 0 && !(items[i - 1].item < item.item)) throw new Error("invalid_plan: items not sorted by code, or an item twice");
  }
  const ratios = plan.ratios;
  if (!Array.isArray(ratios)) throw new Error("invalid_plan: 1–256 ratios");
  for (const ratio of ratios) {
    uint(ratio.risk_class, 255, "ratio risk_class");
    uint(ratio.basis_points, Number.MAX_SAFE_INTEGER, "basis_points");
    if (ratio.basis_points > 10000) throw new Error(`ratio_above_100_percent: class ${ratio.risk_class}`);
  }
  if (ratios.length < 1 || ratios.length > 256) throw new Error("invalid_plan: 1–256 ratios");
  for (let i = 1; i < ratios.length; i++) {
    if (!(ratios[i - 1].risk_class < ratios[i].risk_class)) throw new Error("invalid_plan: ratios not sorted by class");
  }
  if (ratios.every((ratio) => ratio.basis_points === 0)) throw new Error("invalid_plan: all ratios are 0");
  const p = plan.inspectors_per_inspection;
  if (!Number.isInteger(p) || p < 1 || p > 8) throw new Error("invalid_plan: inspectors_per_inspection must be 1–8");
  const departments = plan.departments;
  if (!Array.isArray(departments) || departments.length < 1 || departments.length > 16) throw new Error("invalid_plan: 1–16 departments");
  for (const department of departments) {
    if (!isOrg(department)) throw new Error(`invalid_plan: department ${JSON.stringify(department)}`);
  }
  for (let i = 1; i < departments.length; i++) {
    if (!(departments[i - 1] < departments[i])) throw new Error("invalid_plan: departments not sorted");
  }
  // Exactly the departments the items name, each at least once.
  for (const item of items) {
    if (!departments.includes(item.department)) throw new Error(`invalid_plan: item ${item.item} names department ${item.department}, not among the plan's departments`);
  }
  for (const department of departments) {
    if (!items.some((item) => item.department === department)) throw new Error(`invalid_plan: department ${department} has no item`);
  }
  if (p * departments.length > 16) throw new Error(`invalid_plan: ${p} inspectors × ${departments.length} departments is more than 16 on an inspection`);
}

/** §6: per class in the plan, ceil(population × ratio) picks on sub-stream "entities" ‖ class. */
function drawEntities(seed, plan, entities) {
  const classes = [];
  const inspections = [];
  for (const { risk_class, basis_points } of plan.ratios) {
    // Rows are sorted by class, so a filter keeps snapshot order within the class.
    const rows = entities.filter((row) => row.risk_class === risk_class);
    const drawn = Math.floor((rows.length * basis_points + 9999) / 10000);
    classes.push({ risk_class, population: rows.length, drawn });
    const picks = new Stream(seed, label("entities", Uint8Array.of(risk_class))).shuffle(rows.length, drawn);
    for (const pick of picks) inspections.push({ entity: rows[pick].entity, risk_class });
  }
  if (classes.every((c) => c.population === 0)) throw new Error("empty_population: no entity rows in the plan's classes");
  if (inspections.length === 0) throw new Error("empty_population: the plan draws none of the entity rows");
  return { classes, inspections };
}

/**
 * §7: per department of the plan, in its order (department number k), the
 * eligible inspectors in snapshot order: of that department, valid on the
 * date, with every item of the plan whose department it is in scope.
 */
function eligibleTeams(plan, date, inspectors) {
  return plan.departments.map((department) => {
    const items = plan.items.filter((item) => item.department === department).map((item) => item.item);
    return inspectors
      .filter((row) => row.department === department && row.valid_from <= date && date <= row.valid_until)
      .filter((row) => items.every((item) => row.scopes.includes(item)))
      .map((row) => row.officer.toLowerCase());
  });
}

/**
 * §8: the recused officer's place goes to a candidate of the same team
 * (department number slot div p), drawn on "recusal" ‖ be32(j) ‖ be32(r).
 */
function recuse(seed, teams, p, inspection, j, officer) {
  const place = inspection.inspectors.indexOf(officer);
  if (place < 0) throw new Error(`inspector_not_assigned: ${officer} is not on inspection ${j}`);
  const team = teams[Math.floor(place / p)];
  const r = inspection.recusals.length;
  // Those assigned now (the recused one included) and those recused before cannot come back.
  const excluded = new Set([...inspection.inspectors, ...inspection.recusals.map((recusal) => recusal.officer)]);
  const candidates = team.filter((candidate) => !excluded.has(candidate));
  if (candidates.length === 0) throw new Error(`no_replacement: no candidate left for ${officer} on inspection ${j}`);
  const stream = new Stream(seed, label("recusal", be32(j), be32(r)));
  const replacement = candidates[stream.below(candidates.length)];
  inspection.inspectors[place] = replacement;
  inspection.recusals.push({ officer, replacement });
}

/**
 * Re-runs a draw (§3, §6–§8) from its seed, plan, date, both snapshots and
 * the recorded recusals (applied in order). Throws an Error whose message
 * starts with the §9 refusal code when the draw would be refused.
 */
export function rerun({ seed, plan, date, entities, inspectors, recusals = [] }) {
  const seedBytes = fromHex(seed, 32, "seed");
  checkDate(date);
  checkPlan(plan);
  if (entities.length > 1000000 || inspectors.length > 100000) throw new Error("too_many_rows");
  const roots = { entityRoot: entityRoot(entities), inspectorRoot: inspectorRoot(inspectors) };
  const { classes, inspections } = drawEntities(seedBytes, plan, entities);

  const teams = eligibleTeams(plan, date, inspectors);
  const p = plan.inspectors_per_inspection;
  teams.forEach((team, k) => {
    if (team.length < p) throw new Error(`too_few_inspectors: ${team.length} eligible in ${plan.departments[k]}, which sends ${p} on each inspection`);
  });
  // Inspection j's list is the teams one after the other: slot s is department s div p's.
  inspections.forEach((inspection, j) => {
    inspection.inspectors = [];
    teams.forEach((team, k) => {
      const picks = new Stream(seedBytes, label("inspectors", be32(j), be32(k))).shuffle(team.length, p);
      for (const pick of picks) inspection.inspectors.push(team[pick]);
    });
    inspection.recusals = [];
  });

  for (const { inspection: j, officer } of recusals) {
    if (!Number.isInteger(j) || j < 0 || j >= inspections.length) throw new Error(`no_such_inspection: ${j}`);
    recuse(seedBytes, teams, p, inspections[j], j, String(officer).toLowerCase());
  }
  return { ...roots, classes, inspections };
}

// ---------------------------------------------------------------------------
// Comparing a claim with its re-run (§8, "To verify")

// Hex (roots, key ids) is compared without regard to case; ids and codes
// (entity ids) exactly, as the ledger compares them.
const HEX = /^[0-9a-fA-F]+$/;

function same(a, b) {
  const [left, right] = [String(a ?? ""), String(b ?? "")];
  if (HEX.test(left) && HEX.test(right) && left.length === right.length && left.length >= 40) {
    return left.toLowerCase() === right.toLowerCase();
  }
  return left === right;
}

/** Differences between two lists, item by item, described by `compareItem`. */
function compareLists(what, claimed = [], actual = [], compareItem) {
  const differences = [];
  if (claimed.length !== actual.length) {
    differences.push(`${what}: ${claimed.length} claimed, ${actual.length} in the re-run`);
  }
  const common = Math.min(claimed.length, actual.length);
  for (let i = 0; i < common; i++) differences.push(...compareItem(`${what} ${i}`, claimed[i], actual[i]));
  return differences;
}

function compareField(where, field, claimed, actual) {
  return same(claimed, actual) ? [] : [`${where}: ${field} claimed ${claimed}, re-run gives ${actual}`];
}

/**
 * Every difference between a claimed draw and its re-run (both shaped as
 * `rerun` returns), as readable sentences; an empty list means they agree.
 * Hex is compared without regard to case.
 */
export function compareDraw(claimed, rerunResult) {
  const differences = [
    ...compareField("entity snapshot", "root", claimed.entityRoot, rerunResult.entityRoot),
    ...compareField("inspector snapshot", "root", claimed.inspectorRoot, rerunResult.inspectorRoot),
  ];
  differences.push(...compareLists("class", claimed.classes, rerunResult.classes, (where, c, a) => [
    ...compareField(where, "risk class", c.risk_class, a.risk_class),
    ...compareField(where, "population", c.population, a.population),
    ...compareField(where, "drawn", c.drawn, a.drawn),
  ]));
  differences.push(...compareLists("inspection", claimed.inspections, rerunResult.inspections, (where, c, a) => [
    ...compareField(where, "entity", c.entity, a.entity),
    ...compareField(where, "risk class", c.risk_class, a.risk_class),
    ...compareLists(`${where} inspector`, c.inspectors, a.inspectors, (w, ci, ai) => compareField(w, "officer", ci, ai)),
    ...compareLists(`${where} recusal`, c.recusals, a.recusals, (w, cr, ar) => [
      ...compareField(w, "officer", cr.officer, ar.officer),
      ...compareField(w, "replacement", cr.replacement, ar.replacement),
    ]),
  ]));
  return differences;
}
