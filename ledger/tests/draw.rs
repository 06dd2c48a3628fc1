//! Random draws (`docs/draw.md`) re-run outside the ledger.
//!
//! The module `independent` below is a second implementation of the
//! document, written from its text with nothing but the `blake3` and `hex`
//! crates: it reads the context strings from the document's table (§2),
//! encodes rows, builds the snapshot roots, the commitments and the seed,
//! and draws entities and each department's team of inspectors with its own
//! stream, sampler and (array) Fisher–Yates shuffle, and recusals within
//! the recused inspector's team (version 2). The tests compare it with
//! `xianjie_ledger::draw` over many seeds, directory sizes and plans (one
//! department or several, one item or several each), and both with the
//! worked example the document prints (§10), so the document, this reading
//! of it and the code cannot drift apart without a test failing. The other
//! tests check determinism, sensitivity to every input of the seed, the
//! spread of the draws, eligibility per team, recusal, and every refusal.

use serde_json::Value;
use xianjie_ledger::codec::encode;
use xianjie_ledger::crypto::KeyId;
use xianjie_ledger::draw::{
    self, ClassRatio, DrawPlan, DrawResult, EntityRow, InspectorRow, PlanItem, MAX_ENTITIES,
    MAX_INSPECTORS,
};
use xianjie_ledger::error::DrawError;
use xianjie_ledger::ids::{DrawId, OrgId};
use xianjie_ledger::Hash;

const DOC: &str = include_str!("../../docs/draw.md");

mod doc_sections;
use doc_sections::fenced;

/// The text between `<!-- NAME:begin -->` and `<!-- NAME:end -->`.
fn section(name: &str) -> &'static str {
    doc_sections::between(DOC, name)
}

// ------------------------------------------------------------ the document alone

mod independent {
    //! docs/draw.md, implemented from its text.

    use super::{section, Value};

    /// The context string named `name` in the table of §2.
    fn context(name: &str) -> String {
        for line in section("draw-contexts").lines() {
            let cells: Vec<&str> = line
                .trim()
                .trim_matches('|')
                .split('|')
                .map(|cell| cell.trim().trim_matches('`'))
                .collect();
            if cells.len() == 2 && cells[0] == name {
                return cells[1].to_owned();
            }
        }
        panic!("context {name:?} in docs/draw.md §2")
    }

    pub fn h(name: &str, message: &[u8]) -> [u8; 32] {
        *blake3::Hasher::new_derive_key(&context(name))
            .update(message)
            .finalize()
            .as_bytes()
    }

    fn varint(mut value: u64, out: &mut Vec<u8>) {
        while value >= 0x80 {
            out.push((value as u8 & 0x7f) | 0x80);
            value >>= 7;
        }
        out.push(value as u8);
    }

    fn text(s: &str, out: &mut Vec<u8>) {
        varint(s.len() as u64, out);
        out.extend_from_slice(s.as_bytes());
    }

    fn lp(s: &[u8], out: &mut Vec<u8>) {
        out.extend_from_slice(&(s.len() as u32).to_be_bytes());
        out.extend_from_slice(s);
    }

    #[derive(Clone, Debug)]
    pub struct Entity {
        pub entity: String,
        pub industry: String,
        pub class: u8,
    }

    #[derive(Clone, Debug)]
    pub struct Inspector {
        pub officer: [u8; 20],
        pub department: String,
        pub scopes: Vec<String>,
        pub from: u32,
        pub until: u32,
    }

    pub struct Plan {
        /// `(item, department)` pairs.
        pub items: Vec<(String, String)>,
        pub ratios: Vec<(u8, u16)>,
        pub per_inspection: usize,
        pub departments: Vec<String>,
    }

    pub fn entity_encoding(row: &Entity) -> Vec<u8> {
        let mut out = vec![1];
        text(&row.entity, &mut out);
        text(&row.industry, &mut out);
        out.push(row.class);
        out
    }

    pub fn inspector_encoding(row: &Inspector) -> Vec<u8> {
        let mut out = vec![1];
        out.extend_from_slice(&row.officer);
        text(&row.department, &mut out);
        varint(row.scopes.len() as u64, &mut out);
        for scope in &row.scopes {
            text(scope, &mut out);
        }
        varint(u64::from(row.from), &mut out);
        varint(u64::from(row.until), &mut out);
        out
    }

    fn mth(leaves: &[[u8; 32]]) -> [u8; 32] {
        if leaves.len() == 1 {
            return leaves[0];
        }
        let mut split = 1;
        while split * 2 < leaves.len() {
            split *= 2;
        }
        let mut both = mth(&leaves[..split]).to_vec();
        both.extend_from_slice(&mth(&leaves[split..]));
        h("node", &both)
    }

    pub fn root(row_hashes: &[[u8; 32]]) -> [u8; 32] {
        let tree = if row_hashes.is_empty() {
            h("node", b"")
        } else {
            let leaves: Vec<[u8; 32]> = row_hashes.iter().map(|x| h("leaf", x)).collect();
            mth(&leaves)
        };
        let mut message = (row_hashes.len() as u64).to_be_bytes().to_vec();
        message.extend_from_slice(&tree);
        h("root", &message)
    }

    pub fn entity_root(rows: &[Entity]) -> [u8; 32] {
        let hashes: Vec<_> = rows
            .iter()
            .map(|r| h("entity_row", &entity_encoding(r)))
            .collect();
        root(&hashes)
    }

    pub fn inspector_root(rows: &[Inspector]) -> [u8; 32] {
        let hashes: Vec<_> = rows
            .iter()
            .map(|r| h("inspector_row", &inspector_encoding(r)))
            .collect();
        root(&hashes)
    }

    pub fn commitment(nonce: &[u8; 32], draw_id: &str, org: &str) -> [u8; 32] {
        let mut message = Vec::new();
        lp(draw_id.as_bytes(), &mut message);
        lp(org.as_bytes(), &mut message);
        message.extend_from_slice(nonce);
        h("commitment", &message)
    }

    pub fn seed(block_hash: &[u8; 32], reveals: &[(String, [u8; 32])]) -> [u8; 32] {
        let mut sorted = reveals.to_vec();
        sorted.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
        let mut message = block_hash.to_vec();
        message.extend_from_slice(&(sorted.len() as u32).to_be_bytes());
        for (org, nonce) in &sorted {
            lp(org.as_bytes(), &mut message);
            message.extend_from_slice(nonce);
        }
        h("seed", &message)
    }

    pub struct Stream {
        seed: [u8; 32],
        label: Vec<u8>,
        c: u64,
    }

    impl Stream {
        pub fn new(seed: &[u8; 32], label: Vec<u8>) -> Self {
            Stream {
                seed: *seed,
                label,
                c: 0,
            }
        }

        fn word(&mut self) -> u64 {
            let mut message = self.seed.to_vec();
            message.extend_from_slice(&self.label);
            message.extend_from_slice(&self.c.to_be_bytes());
            self.c += 1;
            let out = h("stream", &message);
            u64::from_be_bytes(out[..8].try_into().unwrap())
        }

        pub fn below(&mut self, b: u64) -> u64 {
            let two64: u128 = 1 << 64;
            let zone = two64 - two64 % u128::from(b);
            loop {
                let w = self.word();
                if u128::from(w) < zone {
                    return w % b;
                }
            }
        }

        pub fn shuffle(&mut self, n: usize, k: usize) -> Vec<usize> {
            let mut a: Vec<usize> = (0..n).collect();
            for i in 0..k {
                let j = i + self.below((n - i) as u64) as usize;
                a.swap(i, j);
            }
            a.truncate(k);
            a
        }
    }

    pub type Drawn = Vec<(String, u8, Vec<[u8; 20]>)>;

    fn is_code(text: &str) -> bool {
        (1..=48).contains(&text.len()) && text.bytes().all(|b| (0x21..=0x7e).contains(&b))
    }

    fn is_org(text: &str) -> bool {
        (1..=32).contains(&text.len())
            && text
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    }

    fn sorted<T: AsRef<[u8]>>(list: impl Iterator<Item = T>) -> bool {
        let list: Vec<T> = list.collect();
        list.windows(2).all(|w| w[0].as_ref() < w[1].as_ref())
    }

    /// The plan's rules of §6, with the codes of §9 (`invalid_plan`,
    /// `ratio_above_100_percent`); for a plan with one fault.
    pub fn check_plan(plan: &Plan) -> Result<(), &'static str> {
        if plan.ratios.iter().any(|&(_, bp)| bp > 10_000) {
            return Err("ratio_above_100_percent");
        }
        let items_ok = (1..=16).contains(&plan.items.len())
            && plan.items.iter().all(|(item, _)| is_code(item))
            && sorted(plan.items.iter().map(|(item, _)| item.as_bytes()));
        let ratios_ok = (1..=256).contains(&plan.ratios.len())
            && sorted(plan.ratios.iter().map(|&(class, _)| [class]))
            && plan.ratios.iter().any(|&(_, bp)| bp > 0);
        let departments_ok = (1..=16).contains(&plan.departments.len())
            && plan.departments.iter().all(|d| is_org(d))
            && sorted(plan.departments.iter().map(|d| d.as_bytes()));
        // Exactly the departments the items name, each at least once.
        let matched = plan
            .items
            .iter()
            .all(|(_, department)| plan.departments.contains(department))
            && plan
                .departments
                .iter()
                .all(|d| plan.items.iter().any(|(_, department)| department == d));
        let team_ok = (1..=8).contains(&plan.per_inspection)
            && plan.per_inspection * plan.departments.len() <= 16;
        if items_ok && ratios_ok && departments_ok && matched && team_ok {
            Ok(())
        } else {
            Err("invalid_plan")
        }
    }

    /// §7: department number `k`'s eligible inspectors, in snapshot order.
    pub fn eligible<'a>(
        plan: &Plan,
        inspectors: &'a [Inspector],
        date: u32,
        k: usize,
    ) -> Vec<&'a Inspector> {
        let department = &plan.departments[k];
        inspectors
            .iter()
            .filter(|r| {
                &r.department == department
                    && r.from <= date
                    && date <= r.until
                    && plan
                        .items
                        .iter()
                        .filter(|(_, d)| d == department)
                        .all(|(item, _)| r.scopes.contains(item))
            })
            .collect()
    }

    /// §6–§7; an error is the refusal code of §9 (only those these inputs can meet).
    pub fn draw(
        seed: &[u8; 32],
        plan: &Plan,
        entities: &[Entity],
        inspectors: &[Inspector],
        date: u32,
    ) -> Result<Drawn, &'static str> {
        check_plan(plan)?;
        let planned = |class: u8| plan.ratios.iter().any(|(c, _)| *c == class);
        if !entities.iter().any(|e| planned(e.class)) {
            return Err("empty_population");
        }
        // §9: a plan that draws nobody is refused like an empty population.
        let drawn: u64 = plan
            .ratios
            .iter()
            .map(|&(class, bp)| {
                let population = entities.iter().filter(|e| e.class == class).count() as u64;
                (population * u64::from(bp)).div_ceil(10_000)
            })
            .sum();
        if drawn == 0 {
            return Err("empty_population");
        }
        let teams: Vec<Vec<&Inspector>> = (0..plan.departments.len())
            .map(|k| eligible(plan, inspectors, date, k))
            .collect();
        if teams.iter().any(|e| e.len() < plan.per_inspection) {
            return Err("too_few_inspectors");
        }
        let mut out: Drawn = Vec::new();
        for &(class, bp) in &plan.ratios {
            let rows: Vec<&Entity> = entities.iter().filter(|e| e.class == class).collect();
            let drawn = (rows.len() as u64 * u64::from(bp)).div_ceil(10_000) as usize;
            let mut stream = Stream::new(seed, [b"entities".as_slice(), &[class]].concat());
            for pick in stream.shuffle(rows.len(), drawn) {
                out.push((rows[pick].entity.clone(), class, Vec::new()));
            }
        }
        for (j, inspection) in out.iter_mut().enumerate() {
            for (k, team) in teams.iter().enumerate() {
                let label = [
                    b"inspectors".as_slice(),
                    &(j as u32).to_be_bytes(),
                    &(k as u32).to_be_bytes(),
                ]
                .concat();
                let mut stream = Stream::new(seed, label);
                for p in stream.shuffle(team.len(), plan.per_inspection) {
                    inspection.2.push(team[p].officer);
                }
            }
        }
        Ok(out)
    }

    /// §8: replaces `officer` on inspection `j`; `recused` are the officers
    /// recused from it before. Returns the replacement, or `None` when no
    /// candidate is left (`no_replacement`).
    #[allow(clippy::too_many_arguments)]
    pub fn recuse(
        seed: &[u8; 32],
        plan: &Plan,
        inspectors: &[Inspector],
        date: u32,
        assigned: &mut [[u8; 20]],
        recused: &mut Vec<[u8; 20]>,
        j: u32,
        officer: [u8; 20],
    ) -> Option<[u8; 20]> {
        let slot = assigned.iter().position(|o| *o == officer)?;
        let candidates: Vec<[u8; 20]> =
            eligible(plan, inspectors, date, slot / plan.per_inspection)
                .into_iter()
                .map(|r| r.officer)
                .filter(|o| !assigned.contains(o) && !recused.contains(o))
                .collect();
        if candidates.is_empty() {
            return None;
        }
        let label = [
            b"recusal".as_slice(),
            &j.to_be_bytes(),
            &(recused.len() as u32).to_be_bytes(),
        ]
        .concat();
        let pick = Stream::new(seed, label).below(candidates.len() as u64) as usize;
        let replacement = candidates[pick];
        assigned[slot] = replacement;
        recused.push(officer);
        Some(replacement)
    }

    pub fn bytes32(v: &Value) -> [u8; 32] {
        hex::decode(v.as_str().unwrap())
            .unwrap()
            .try_into()
            .unwrap()
    }

    pub fn entities_from_json(v: &Value) -> Vec<Entity> {
        v.as_array()
            .unwrap()
            .iter()
            .map(|e| Entity {
                entity: e["entity"].as_str().unwrap().to_owned(),
                industry: e["industry"].as_str().unwrap().to_owned(),
                class: e["risk_class"].as_u64().unwrap() as u8,
            })
            .collect()
    }

    pub fn inspectors_from_json(v: &Value) -> Vec<Inspector> {
        v.as_array()
            .unwrap()
            .iter()
            .map(|r| Inspector {
                officer: hex::decode(r["officer"].as_str().unwrap())
                    .unwrap()
                    .try_into()
                    .unwrap(),
                department: r["department"].as_str().unwrap().to_owned(),
                scopes: r["scopes"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|s| s.as_str().unwrap().to_owned())
                    .collect(),
                from: r["valid_from"].as_u64().unwrap() as u32,
                until: r["valid_until"].as_u64().unwrap() as u32,
            })
            .collect()
    }

    pub fn plan_from_json(v: &Value) -> Plan {
        Plan {
            items: v["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|i| {
                    (
                        i["item"].as_str().unwrap().to_owned(),
                        i["department"].as_str().unwrap().to_owned(),
                    )
                })
                .collect(),
            ratios: v["ratios"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| {
                    (
                        r["risk_class"].as_u64().unwrap() as u8,
                        r["basis_points"].as_u64().unwrap() as u16,
                    )
                })
                .collect(),
            per_inspection: v["inspectors_per_inspection"].as_u64().unwrap() as usize,
            departments: v["departments"]
                .as_array()
                .unwrap()
                .iter()
                .map(|d| d.as_str().unwrap().to_owned())
                .collect(),
        }
    }
}

// ------------------------------------------------------------ the worked example

fn example() -> Value {
    serde_json::from_str(fenced(section("draw-example-input"))).expect("the example's JSON")
}

fn documented_output() -> &'static str {
    fenced(section("draw-example-output"))
}

/// The slot a recusal of the example names: `"first"` is slot 0, `"slot s"`
/// is slot `s` of the inspection's list at that point (§10).
fn recused_slot(notation: &Value) -> usize {
    let text = notation.as_str().expect("a recusal's officer is text");
    match text.strip_prefix("slot ") {
        Some(number) => number.parse().expect("slot number"),
        None if text == "first" => 0,
        None => panic!("unknown recusal notation {text:?}"),
    }
}

/// What §10 prints; every value is computed by the caller.
#[derive(Default)]
struct Report {
    commitments: Vec<(String, String)>,
    seed: String,
    entity_row0: String,
    entity_root: String,
    inspector_row0: String,
    inspector_root: String,
    classes: Vec<(u8, u32, u32)>,
    inspections: Vec<(String, u8, Vec<String>)>,
    /// `(inspection, r, officer, replacement)`, in the order recorded.
    recusals: Vec<(usize, usize, String, String)>,
    /// `(inspection, its inspectors after its recusals, how many recusals)`.
    after: Vec<(usize, Vec<String>, usize)>,
}

impl Report {
    fn text(&self) -> String {
        let mut out = String::new();
        for (org, hash) in &self.commitments {
            out += &format!("commitment of {org}:\n  {hash}\n");
        }
        out += &format!("seed:\n  {}\n", self.seed);
        out += &format!("encoding of entity row 0:\n  {}\n", self.entity_row0);
        out += &format!("entity root:\n  {}\n", self.entity_root);
        out += &format!("encoding of inspector row 0:\n  {}\n", self.inspector_row0);
        out += &format!("inspector root:\n  {}\n", self.inspector_root);
        for (class, population, drawn) in &self.classes {
            out += &format!("class {class}: population {population}, drawn {drawn}\n");
        }
        for (number, (entity, class, inspectors)) in self.inspections.iter().enumerate() {
            out += &format!("inspection {number}: {entity} (class {class})\n");
            for inspector in inspectors {
                out += &format!("  {inspector}\n");
            }
        }
        for (inspection, r, officer, replacement) in &self.recusals {
            out += &format!(
                "recusal {r} on inspection {inspection}:\n  {officer} replaced by\n  {replacement}\n"
            );
        }
        for (inspection, inspectors, count) in &self.after {
            let plural = if *count == 1 { "" } else { "s" };
            out += &format!("inspection {inspection} after the recusal{plural}:\n");
            for inspector in inspectors {
                out += &format!("  {inspector}\n");
            }
        }
        out
    }

    /// Records recusal `r` on inspection `j`, and `j` among those to print
    /// after the recusals (in the order first recused).
    fn recusal(&mut self, j: usize, officer: String, replacement: String) {
        let r = self.recusals.iter().filter(|x| x.0 == j).count();
        self.recusals.push((j, r, officer, replacement));
        match self.after.iter_mut().find(|(k, _, _)| *k == j) {
            Some(after) => after.2 += 1,
            None => self.after.push((j, Vec::new(), 1)),
        }
    }
}

fn check_against_document(report: &Report, who: &str) {
    let text = report.text();
    assert!(
        text == documented_output(),
        "{who}: docs/draw.md §10 differs from the computed output; if the algorithm \
         changed on purpose, replace the block between the draw-example-output \
         markers with:\n```text\n{text}```"
    );
}

#[test]
fn the_worked_example_from_the_document_alone() {
    use independent as ind;
    let v = example();
    let draw_id = v["draw_id"].as_str().unwrap();
    let reveals: Vec<(String, [u8; 32])> = v["reveals"]
        .as_array()
        .unwrap()
        .iter()
        .map(|pair| (pair[0].as_str().unwrap().to_owned(), ind::bytes32(&pair[1])))
        .collect();
    let block = ind::bytes32(&v["block_hash"]);
    let date = v["date"].as_u64().unwrap() as u32;
    let plan = ind::plan_from_json(&v["plan"]);
    let entities = ind::entities_from_json(&v["entities"]);
    let inspectors = ind::inspectors_from_json(&v["inspectors"]);

    let seed = ind::seed(&block, &reveals);
    let drawn = ind::draw(&seed, &plan, &entities, &inspectors, date).unwrap();
    let mut report = Report {
        commitments: reveals
            .iter()
            .map(|(org, nonce)| {
                (
                    org.clone(),
                    hex::encode(ind::commitment(nonce, draw_id, org)),
                )
            })
            .collect(),
        seed: hex::encode(seed),
        entity_row0: hex::encode(ind::entity_encoding(&entities[0])),
        entity_root: hex::encode(ind::entity_root(&entities)),
        inspector_row0: hex::encode(ind::inspector_encoding(&inspectors[0])),
        inspector_root: hex::encode(ind::inspector_root(&inspectors)),
        ..Report::default()
    };
    for &(class, bp) in &plan.ratios {
        let population = entities.iter().filter(|e| e.class == class).count() as u32;
        let drawn_here = drawn.iter().filter(|d| d.1 == class).count() as u32;
        assert_eq!(
            drawn_here,
            (u64::from(population) * u64::from(bp)).div_ceil(10_000) as u32
        );
        report.classes.push((class, population, drawn_here));
    }
    report.inspections = drawn
        .iter()
        .map(|(entity, class, officers)| {
            (
                entity.clone(),
                *class,
                officers.iter().map(hex::encode).collect(),
            )
        })
        .collect();
    let mut assigned = drawn.clone();
    let mut recused: Vec<Vec<[u8; 20]>> = vec![Vec::new(); drawn.len()];
    for recusal in v["recusals"].as_array().unwrap() {
        let j = recusal["inspection"].as_u64().unwrap() as usize;
        let officer = assigned[j].2[recused_slot(&recusal["officer"])];
        let replacement = ind::recuse(
            &seed,
            &plan,
            &inspectors,
            date,
            &mut assigned[j].2,
            &mut recused[j],
            j as u32,
            officer,
        )
        .expect("a candidate");
        report.recusal(j, hex::encode(officer), hex::encode(replacement));
    }
    for (j, list, _) in &mut report.after {
        *list = assigned[*j].2.iter().map(hex::encode).collect();
    }
    check_against_document(&report, "the independent implementation");
}

#[test]
fn the_worked_example_from_the_ledger() {
    let v = example();
    let draw_id = DrawId::new(v["draw_id"].as_str().unwrap());
    let reveals: Vec<(OrgId, [u8; 32])> = v["reveals"]
        .as_array()
        .unwrap()
        .iter()
        .map(|pair| {
            (
                OrgId::new(pair[0].as_str().unwrap()).unwrap(),
                independent::bytes32(&pair[1]),
            )
        })
        .collect();
    let block = Hash(independent::bytes32(&v["block_hash"]));
    let date = v["date"].as_u64().unwrap() as u32;
    let plan: DrawPlan = serde_json::from_value(v["plan"].clone()).unwrap();
    let entities: Vec<EntityRow> = serde_json::from_value(v["entities"].clone()).unwrap();
    let inspectors: Vec<InspectorRow> = serde_json::from_value(v["inspectors"].clone()).unwrap();

    let seed = draw::seed(&block, &reveals).unwrap();
    let mut result = draw::draw(&seed, &plan, &entities, &inspectors, date).unwrap();
    let mut report = Report {
        commitments: reveals
            .iter()
            .map(|(org, nonce)| {
                (
                    org.to_string(),
                    draw::commitment(nonce, &draw_id, org).to_hex(),
                )
            })
            .collect(),
        seed: seed.to_hex(),
        entity_row0: hex::encode(encode(&entities[0])),
        entity_root: result.entity_root.to_hex(),
        inspector_row0: hex::encode(encode(&inspectors[0])),
        inspector_root: result.inspector_root.to_hex(),
        classes: result
            .classes
            .iter()
            .map(|c| (c.risk_class, c.population, c.drawn))
            .collect(),
        inspections: result
            .inspections
            .iter()
            .map(|i| {
                (
                    i.entity.clone(),
                    i.risk_class,
                    i.inspectors.iter().map(KeyId::to_hex).collect(),
                )
            })
            .collect(),
        ..Report::default()
    };
    assert_eq!(result.entity_root, draw::entity_root(&entities).unwrap());
    for recusal in v["recusals"].as_array().unwrap() {
        let j = recusal["inspection"].as_u64().unwrap() as usize;
        let officer = result.inspections[j].inspectors[recused_slot(&recusal["officer"])];
        result = draw::recuse(&result, &inspectors, j, &officer).unwrap();
        let last = *result.inspections[j].recusals.last().unwrap();
        assert_eq!(last.officer, officer);
        report.recusal(j, officer.to_hex(), last.replacement.to_hex());
    }
    for (j, list, _) in &mut report.after {
        *list = result.inspections[*j]
            .inspectors
            .iter()
            .map(KeyId::to_hex)
            .collect();
    }
    // The recorded draw re-runs as drawn.
    draw::verify(&result, &entities, &inspectors).unwrap();
    check_against_document(&report, "xianjie_ledger::draw");
}

// ------------------------------------------------------------ generated directories

/// Deterministic bytes for generating test directories.
fn gen(tag: &str, n: u64) -> [u8; 32] {
    *blake3::hash(format!("{tag}/{n}").as_bytes()).as_bytes()
}

const DATE: u32 = 20261207;

fn market() -> OrgId {
    OrgId::new("market-1").unwrap()
}

fn tax() -> OrgId {
    OrgId::new("tax-1").unwrap()
}

/// `n` rows with classes at random, sorted by class and then id (§3.3).
fn entities(n: usize, classes: u8) -> Vec<EntityRow> {
    let mut rows: Vec<EntityRow> = (0..n)
        .map(|i| EntityRow {
            entity: format!("9133{i:07}X"),
            industry: format!("C{}", 1300 + i % 7),
            risk_class: gen("class", i as u64)[0] % classes,
        })
        .collect();
    rows.sort_by(|a, b| (a.risk_class, &a.entity).cmp(&(b.risk_class, &b.entity)));
    rows
}

/// The item codes generated scopes are made of, sorted.
const CODES: [&str; 5] = ["DRUG-01", "EXCISE-01", "FOOD-01", "PRICE-01", "TAX-01"];

/// `n` inspectors with mixed departments, scopes (any non-empty subset of
/// [`CODES`]) and validity: some eligible for a plan's team, some not.
fn inspectors(n: usize, salt: u64) -> Vec<InspectorRow> {
    let mut rows: Vec<InspectorRow> = (0..n)
        .map(|i| {
            let bytes = gen("inspector", salt * 1_000_000 + i as u64);
            let mut officer = [0u8; 20];
            officer.copy_from_slice(&bytes[..20]);
            let department = ["market-1", "market-2", "tax-1"][bytes[20] as usize % 3];
            let bits = 1 + bytes[21] % 31;
            let scopes: Vec<String> = CODES
                .iter()
                .enumerate()
                .filter(|(at, _)| bits & (1 << at) != 0)
                .map(|(_, code)| code.to_string())
                .collect();
            let (valid_from, valid_until) = match bytes[22] % 5 {
                0 => (20250101, 20260630),
                1 => (20270101, 20281231),
                _ => (20260101, 20271231),
            };
            InspectorRow {
                officer: KeyId(officer),
                department: OrgId::new(department).unwrap(),
                scopes,
                valid_from,
                valid_until,
            }
        })
        .collect();
    rows.sort_by_key(|r| r.officer.0);
    rows
}

/// Every inspector valid for FOOD-01 in market-1 on DATE.
fn all_eligible(n: usize) -> Vec<InspectorRow> {
    let mut rows: Vec<InspectorRow> = (0..n)
        .map(|i| {
            let mut officer = [0u8; 20];
            officer.copy_from_slice(&gen("officer", i as u64)[..20]);
            InspectorRow {
                officer: KeyId(officer),
                department: market(),
                scopes: vec!["FOOD-01".into()],
                valid_from: 20260101,
                valid_until: 20261231,
            }
        })
        .collect();
    rows.sort_by_key(|r| r.officer.0);
    rows
}

/// A plan for `items` (`(code, department)`, in the order given), its
/// departments those the items name, sorted.
fn plan_of(items: &[(&str, &str)], ratios: &[(u8, u16)], per_inspection: u8) -> DrawPlan {
    let mut departments: Vec<OrgId> = items.iter().map(|(_, d)| org(d)).collect();
    departments.sort();
    departments.dedup();
    DrawPlan {
        items: items
            .iter()
            .map(|&(item, department)| PlanItem {
                item: item.into(),
                department: org(department),
            })
            .collect(),
        ratios: ratios
            .iter()
            .map(|&(risk_class, basis_points)| ClassRatio {
                risk_class,
                basis_points,
            })
            .collect(),
        inspectors_per_inspection: per_inspection,
        departments,
    }
}

/// FOOD-01 by market-1 alone (every row of [`all_eligible`] qualifies).
fn plan(ratios: &[(u8, u16)], per_inspection: u8) -> DrawPlan {
    plan_of(&[("FOOD-01", "market-1")], ratios, per_inspection)
}

/// The items of [`joint_plan`]: the first item is tax-1's, so the order of
/// the items is not the order of the departments (market-1, tax-1).
const JOINT_ITEMS: [(&str, &str); 3] = [
    ("EXCISE-01", "tax-1"),
    ("FOOD-01", "market-1"),
    ("PRICE-01", "market-1"),
];

/// A joint plan: market-1 (team 0) for FOOD-01 and PRICE-01, tax-1 (team 1)
/// for EXCISE-01.
fn joint_plan(ratios: &[(u8, u16)], per_inspection: u8) -> DrawPlan {
    plan_of(&JOINT_ITEMS, ratios, per_inspection)
}

/// An inspector row: officer from `(tag, n)`, of `department`, with `scopes`.
fn staff_row(
    tag: &str,
    n: u64,
    department: &str,
    scopes: &[&str],
    valid: (u32, u32),
) -> InspectorRow {
    let mut officer = [0u8; 20];
    officer.copy_from_slice(&gen(tag, n)[..20]);
    InspectorRow {
        officer: KeyId(officer),
        department: org(department),
        scopes: scopes.iter().map(|s| s.to_string()).collect(),
        valid_from: valid.0,
        valid_until: valid.1,
    }
}

const VALID: (u32, u32) = (20260101, 20271231);

/// A directory for [`joint_plan`]: 5 of market-1's 9 and 4 of tax-1's 6
/// rows are eligible on DATE; the others lack one of their department's
/// items, have expired, or belong to a department outside the plan, and
/// several have the other department's items in scope.
fn joint_staff() -> Vec<InspectorRow> {
    let m = "market-1";
    let t = "tax-1";
    let mut rows = vec![
        // market-1, eligible: FOOD-01 and PRICE-01 in scope.
        staff_row("joint", 0, m, &["FOOD-01", "PRICE-01"], VALID),
        staff_row("joint", 1, m, &["FOOD-01", "PRICE-01"], VALID),
        staff_row("joint", 2, m, &["DRUG-01", "FOOD-01", "PRICE-01"], VALID),
        staff_row("joint", 3, m, &["EXCISE-01", "FOOD-01", "PRICE-01"], VALID),
        staff_row(
            "joint",
            4,
            m,
            &["FOOD-01", "PRICE-01"],
            (20261207, 20261207),
        ),
        // market-1, not eligible: one item missing, or expired.
        staff_row("joint", 5, m, &["FOOD-01"], VALID),
        staff_row("joint", 6, m, &["EXCISE-01", "PRICE-01"], VALID),
        staff_row(
            "joint",
            7,
            m,
            &["FOOD-01", "PRICE-01"],
            (20250101, 20261206),
        ),
        staff_row(
            "joint",
            8,
            m,
            &["FOOD-01", "PRICE-01"],
            (20261208, 20271231),
        ),
        // tax-1, eligible: EXCISE-01 in scope.
        staff_row("joint", 10, t, &["EXCISE-01"], VALID),
        staff_row("joint", 11, t, &["EXCISE-01", "TAX-01"], VALID),
        staff_row("joint", 12, t, &["EXCISE-01"], VALID),
        staff_row("joint", 13, t, &["EXCISE-01", "FOOD-01", "PRICE-01"], VALID),
        // tax-1, not eligible.
        staff_row("joint", 14, t, &["FOOD-01", "PRICE-01", "TAX-01"], VALID),
        staff_row("joint", 15, t, &["EXCISE-01"], (20270101, 20271231)),
        // Another department, every item in scope.
        staff_row(
            "joint",
            20,
            "market-2",
            &["EXCISE-01", "FOOD-01", "PRICE-01"],
            VALID,
        ),
        staff_row(
            "joint",
            21,
            "market-2",
            &["EXCISE-01", "FOOD-01", "PRICE-01"],
            VALID,
        ),
    ];
    rows.sort_by_key(|r| r.officer.0);
    rows
}

/// The officers of `tag`/`numbers` (see [`staff_row`]).
fn officers(tag: &str, numbers: impl IntoIterator<Item = u64>) -> Vec<KeyId> {
    numbers
        .into_iter()
        .map(|n| {
            let mut officer = [0u8; 20];
            officer.copy_from_slice(&gen(tag, n)[..20]);
            KeyId(officer)
        })
        .collect()
}

fn to_independent(
    plan: &DrawPlan,
    entities: &[EntityRow],
    inspectors: &[InspectorRow],
) -> (
    independent::Plan,
    Vec<independent::Entity>,
    Vec<independent::Inspector>,
) {
    (
        independent_plan(plan),
        entities
            .iter()
            .map(|e| independent::Entity {
                entity: e.entity.clone(),
                industry: e.industry.clone(),
                class: e.risk_class,
            })
            .collect(),
        inspectors
            .iter()
            .map(|r| independent::Inspector {
                officer: r.officer.0,
                department: r.department.to_string(),
                scopes: r.scopes.clone(),
                from: r.valid_from,
                until: r.valid_until,
            })
            .collect(),
    )
}

fn independent_plan(plan: &DrawPlan) -> independent::Plan {
    independent::Plan {
        items: plan
            .items
            .iter()
            .map(|i| (i.item.clone(), i.department.to_string()))
            .collect(),
        ratios: plan
            .ratios
            .iter()
            .map(|r| (r.risk_class, r.basis_points))
            .collect(),
        per_inspection: usize::from(plan.inspectors_per_inspection),
        departments: plan.departments.iter().map(|d| d.to_string()).collect(),
    }
}

fn drawn_of(result: &DrawResult) -> independent::Drawn {
    result
        .inspections
        .iter()
        .map(|i| {
            (
                i.entity.clone(),
                i.risk_class,
                i.inspectors.iter().map(|k| k.0).collect(),
            )
        })
        .collect()
}

/// Recuses the officer in `slot` of inspection `j` in the ledger's `result`
/// and in the independent implementation, and checks that they agree
/// (both on the replacement and on `no_replacement`).
fn recuse_both(
    result: DrawResult,
    seed: &Hash,
    inspectors: &[InspectorRow],
    ind: (&independent::Plan, &[independent::Inspector]),
    j: usize,
    slot: usize,
) -> DrawResult {
    let mut assigned: Vec<[u8; 20]> = result.inspections[j]
        .inspectors
        .iter()
        .map(|k| k.0)
        .collect();
    let mut recused: Vec<[u8; 20]> = result.inspections[j]
        .recusals
        .iter()
        .map(|r| r.officer.0)
        .collect();
    let officer = result.inspections[j].inspectors[slot];
    let theirs = independent::recuse(
        &seed.0,
        ind.0,
        ind.1,
        result.date,
        &mut assigned,
        &mut recused,
        j as u32,
        officer.0,
    );
    match (draw::recuse(&result, inspectors, j, &officer), theirs) {
        (Ok(next), Some(replacement)) => {
            let record = next.inspections[j].recusals.last().unwrap();
            assert_eq!(record.officer, officer);
            assert_eq!(
                record.replacement.0, replacement,
                "inspection {j}, slot {slot}"
            );
            assert_eq!(drawn_of(&next)[j].2, assigned);
            next
        }
        (Err(e), None) => {
            assert_eq!(e.code(), "no_replacement");
            result
        }
        (ours, theirs) => panic!("inspection {j}, slot {slot}: {ours:?} vs {theirs:?}"),
    }
}

#[test]
fn the_independent_rerun_gets_the_ledgers_entities_and_inspectors() {
    // One department with one item or two, two departments, three
    // departments, and items whose order is not their departments' order.
    let plans: [&[(&str, &str)]; 5] = [
        &[("FOOD-01", "market-1")],
        &[("DRUG-01", "market-1"), ("FOOD-01", "market-1")],
        &[("FOOD-01", "market-1"), ("TAX-01", "tax-1")],
        &[
            ("DRUG-01", "market-2"),
            ("FOOD-01", "market-1"),
            ("TAX-01", "tax-1"),
        ],
        &JOINT_ITEMS,
    ];
    let sizes = [1usize, 2, 3, 5, 7, 10, 33, 100, 257, 600];
    let mut compared = [0; 5];
    let mut refusals = 0;
    let mut recusals = 0;
    for (case, &size) in sizes.iter().enumerate() {
        for round in 0..10u64 {
            let n = case as u64 * 10 + round;
            let bytes = gen("case", n);
            let classes = 1 + bytes[0] % 4;
            let ratios: Vec<(u8, u16)> = (0..classes)
                .map(|c| {
                    let raw = u16::from_be_bytes([bytes[1 + c as usize], bytes[2 + c as usize]]);
                    let bp = match raw % 5 {
                        0 => 10_000,
                        1 => 1,
                        _ => raw % 10_001,
                    };
                    (c, bp.max(1))
                })
                .collect();
            let per_inspection = 1 + bytes[9] % 3;
            let kind = (case + round as usize) % plans.len();
            let plan = plan_of(plans[kind], &ratios, per_inspection);
            let entities = entities(size, classes + 1);
            let inspectors = inspectors(20 + bytes[10] as usize % 80, n);
            let seed = Hash(gen("seed", n));
            let (ind_plan, ind_entities, ind_inspectors) =
                to_independent(&plan, &entities, &inspectors);
            assert_eq!(
                independent::entity_root(&ind_entities),
                draw::entity_root(&entities).unwrap().0
            );
            assert_eq!(
                independent::inspector_root(&ind_inspectors),
                draw::inspector_root(&inspectors).unwrap().0
            );
            let theirs =
                independent::draw(&seed.0, &ind_plan, &ind_entities, &ind_inspectors, DATE);
            let ours = draw::draw(&seed, &plan, &entities, &inspectors, DATE);
            match (theirs, ours) {
                (Ok(theirs), Ok(mut ours)) => {
                    assert_eq!(theirs, drawn_of(&ours), "size {size}, round {round}");
                    compared[kind] += 1;
                    // Recuse a slot of every team on a few inspections, again where possible.
                    let last = ours.inspections.len() - 1;
                    for (at, j) in [0, last / 2, last, last].into_iter().enumerate() {
                        let slot = (at + bytes[11] as usize) % plan.team_size();
                        ours = recuse_both(
                            ours,
                            &seed,
                            &inspectors,
                            (&ind_plan, &ind_inspectors),
                            j,
                            slot,
                        );
                        recusals += 1;
                    }
                }
                (Err(theirs), Err(ours)) => {
                    assert_eq!(theirs, ours.code(), "size {size}, round {round}");
                    refusals += 1;
                }
                (theirs, ours) => panic!("size {size}, round {round}: {theirs:?} vs {ours:?}"),
            }
        }
    }
    assert!(
        compared.iter().all(|&count| count >= 8),
        "draws compared per plan: {compared:?}"
    );
    assert!(refusals <= 40, "{refusals} refusals");
    assert!(recusals >= 200, "{recusals} recusals");
}

#[test]
fn a_joint_draw_agrees_with_the_document_over_many_seeds() {
    let plan = joint_plan(&[(0, 1500), (1, 4000), (2, 10_000)], 2);
    let entities = entities(60, 4);
    let staff = joint_staff();
    let (ind_plan, ind_entities, ind_staff) = to_independent(&plan, &entities, &staff);
    let teams = [officers("joint", 0..5), officers("joint", [10, 11, 12, 13])];
    let mut seen: std::collections::BTreeMap<KeyId, usize> = Default::default();
    for n in 0..300u64 {
        let seed = Hash(gen("joint", n));
        let mut result = draw::draw(&seed, &plan, &entities, &staff, DATE).unwrap();
        let theirs =
            independent::draw(&seed.0, &ind_plan, &ind_entities, &ind_staff, DATE).unwrap();
        assert_eq!(theirs, drawn_of(&result), "seed {n}");
        for inspection in &result.inspections {
            assert_eq!(inspection.inspectors.len(), 4);
            // Slots 0–1 are market-1's team, 2–3 tax-1's.
            for (slot, officer) in inspection.inspectors.iter().enumerate() {
                assert!(teams[slot / 2].contains(officer), "seed {n}, slot {slot}");
                *seen.entry(*officer).or_default() += 1;
            }
            assert_ne!(inspection.inspectors[0], inspection.inspectors[1]);
            assert_ne!(inspection.inspectors[2], inspection.inspectors[3]);
        }
        // Recusals in both teams, twice on one inspection, agree too.
        let j = n as usize % result.inspections.len();
        for slot in [(n % 4) as usize, 3 - (n % 4) as usize, 2] {
            result = recuse_both(result, &seed, &staff, (&ind_plan, &ind_staff), j, slot);
        }
        assert_eq!(result.inspections[j].recusals.len(), 3);
        draw::verify(&result, &entities, &staff).unwrap();
    }
    // Every eligible inspector of each team serves, and nobody else.
    assert_eq!(seen.len(), teams[0].len() + teams[1].len(), "{seen:?}");
}

#[test]
fn an_inspector_without_every_item_of_its_department_is_not_eligible() {
    let plan = joint_plan(&[(0, 10_000)], 2);
    let row = |department: &str, scopes: &[&str]| staff_row("one", 0, department, scopes, VALID);
    let eligible = |r: &InspectorRow, department: &OrgId| {
        r.is_eligible(DATE, department, plan.items_of(department))
    };
    assert_eq!(
        plan.items_of(&market()).collect::<Vec<_>>(),
        ["FOOD-01", "PRICE-01"]
    );
    assert_eq!(plan.items_of(&tax()).collect::<Vec<_>>(), ["EXCISE-01"]);
    assert_eq!(plan.team_size(), 4);
    assert!(plan.has_item("EXCISE-01") && !plan.has_item("TAX-01"));
    // Both of market-1's items, whatever else.
    assert!(eligible(
        &row("market-1", &["FOOD-01", "PRICE-01"]),
        &market()
    ));
    assert!(eligible(
        &row("market-1", &["DRUG-01", "FOOD-01", "PRICE-01"]),
        &market()
    ));
    // One of them missing.
    assert!(!eligible(&row("market-1", &["FOOD-01"]), &market()));
    assert!(!eligible(&row("market-1", &["PRICE-01"]), &market()));
    assert!(!eligible(
        &row("market-1", &["EXCISE-01", "FOOD-01"]),
        &market()
    ));
    // Another department's items do not make a market officer a tax inspector,
    // nor the other way round.
    let everything = ["EXCISE-01", "FOOD-01", "PRICE-01"];
    assert!(!eligible(&row("market-1", &everything), &tax()));
    assert!(!eligible(&row("tax-1", &everything), &market()));
    assert!(eligible(&row("tax-1", &everything), &tax()));
    assert!(!eligible(&row("market-2", &everything), &market()));
    // Validity still counts.
    let mut expired = row("market-1", &["FOOD-01", "PRICE-01"]);
    expired.valid_until = DATE - 1;
    assert!(!eligible(&expired, &market()));

    // In a draw: the market-1 officers lacking FOOD-01 or PRICE-01 never
    // serve, although they are of the department and valid; with them
    // counted, market-1 would have 7 for a team of 6.
    let staff = joint_staff();
    let (ind_plan, _, ind_staff) = to_independent(&plan, &[], &staff);
    let lacking = officers("joint", [5, 6]);
    for k in 0..2 {
        let department = &plan.departments[k];
        let ours: Vec<KeyId> = staff
            .iter()
            .filter(|r| eligible(r, department))
            .map(|r| r.officer)
            .collect();
        let theirs: Vec<[u8; 20]> = independent::eligible(&ind_plan, &ind_staff, DATE, k)
            .into_iter()
            .map(|r| r.officer)
            .collect();
        assert_eq!(ours.iter().map(|k| k.0).collect::<Vec<_>>(), theirs);
    }
    let entities = entities(30, 1);
    for n in 0..200u64 {
        let result = draw::draw(&Hash(gen("lacking", n)), &plan, &entities, &staff, DATE).unwrap();
        for inspection in &result.inspections {
            assert!(inspection.inspectors.iter().all(|k| !lacking.contains(k)));
        }
    }
    let err = draw::draw(
        &Hash([1; 32]),
        &joint_plan(&[(0, 10_000)], 6),
        &entities,
        &staff,
        DATE,
    )
    .unwrap_err();
    assert_eq!(err.code(), "too_few_inspectors");
}

#[test]
fn a_department_short_of_inspectors_is_refused() {
    let entities = entities(30, 1);
    let (_, ind_entities, _) = to_independent(&plan(&[(0, 1)], 1), &entities, &[]);
    // Leave tax-1 one eligible inspector (of 6 rows, 4 of them with EXCISE-01
    // in scope), and market-1 plenty: 1 + 5 eligible is more than a team of
    // 2 + 2, but tax-1 cannot send 2.
    let staff: Vec<InspectorRow> = joint_staff()
        .into_iter()
        .filter(|r| !officers("joint", [10, 11, 12]).contains(&r.officer))
        .collect();
    let plan = joint_plan(&[(0, 5000)], 2);
    let seed = Hash(gen("short", 0));
    match draw::draw(&seed, &plan, &entities, &staff, DATE).unwrap_err() {
        DrawError::TooFewInspectors {
            eligible,
            needed,
            department,
            items,
            date,
        } => {
            assert_eq!((eligible, needed, date), (1, 2, DATE));
            assert_eq!(department, "tax-1");
            assert_eq!(items, "EXCISE-01");
        }
        other => panic!("{other:?}"),
    }
    let (ind_plan, _, ind_staff) = to_independent(&plan, &entities, &staff);
    assert_eq!(
        independent::draw(&seed.0, &ind_plan, &ind_entities, &ind_staff, DATE),
        Err("too_few_inspectors")
    );
    // A team of one each is drawn.
    let one_each = joint_plan(&[(0, 5000)], 1);
    let result = draw::draw(&seed, &one_each, &entities, &staff, DATE).unwrap();
    let only = officers("joint", [13])[0];
    assert!(result.inspections.iter().all(|i| i.inspectors[1] == only));
    // market-1, the first department, short: 5 eligible for teams of 6.
    let err = draw::draw(
        &seed,
        &joint_plan(&[(0, 5000)], 6),
        &entities,
        &joint_staff(),
        DATE,
    )
    .unwrap_err();
    assert!(
        matches!(&err, DrawError::TooFewInspectors { eligible: 5, needed: 6, department, items, .. }
            if department == "market-1" && items == "FOOD-01,PRICE-01"),
        "{err:?}"
    );
    // With inspector 15 valid from an earlier date, tax-1 has 2 and the
    // draw goes ahead (14, without EXCISE-01, still does not count).
    let mut renewed = staff.clone();
    let fifteen = officers("joint", [15])[0];
    for row in &mut renewed {
        if row.officer == fifteen {
            row.valid_from = 20260101;
        }
    }
    assert!(draw::draw(&seed, &plan, &entities, &renewed, DATE).is_ok());
}

#[test]
fn a_recusal_in_the_second_team_draws_from_that_team_only() {
    let plan = joint_plan(&[(0, 2000)], 2);
    let entities = entities(40, 1);
    let staff = joint_staff();
    let market_team = officers("joint", 0..5);
    let tax_team = officers("joint", [10, 11, 12, 13]);
    for n in 0..50u64 {
        let seed = Hash(gen("second team", n));
        let result = draw::draw(&seed, &plan, &entities, &staff, DATE).unwrap();
        let j = n as usize % result.inspections.len();
        let slot = 2 + (n % 2) as usize;
        let officer = result.inspections[j].inspectors[slot];
        let once = draw::recuse(&result, &staff, j, &officer).unwrap();
        let changed = &once.inspections[j];
        let replacement = changed.inspectors[slot];
        assert!(tax_team.contains(&replacement), "seed {n}");
        assert!(!result.inspections[j].inspectors.contains(&replacement));
        // Only that slot changed: market-1's team and the other tax slot stay.
        for other in (0..4).filter(|&s| s != slot) {
            assert_eq!(
                changed.inspectors[other],
                result.inspections[j].inspectors[other]
            );
        }
        // Recusing tax-1's inspectors again and again runs through its 4
        // eligible ones (2 on the team, 2 recused); then there is no
        // replacement, although market-1 still has 3 unassigned.
        let mut current = once;
        while let Ok(next) =
            draw::recuse(&current, &staff, j, &current.inspections[j].inspectors[2])
        {
            current = next;
        }
        let record = &current.inspections[j];
        assert_eq!(record.recusals.len(), 2, "4 eligible, 2 on the team");
        let mut seen: Vec<KeyId> = record.inspectors[2..].to_vec();
        for recusal in &record.recusals {
            assert!(tax_team.contains(&recusal.officer));
            assert!(tax_team.contains(&recusal.replacement));
            seen.push(recusal.officer);
        }
        seen.sort_by_key(|k| k.0);
        seen.dedup();
        assert_eq!(seen.len(), tax_team.len());
        assert_eq!(
            draw::recuse(&current, &staff, j, &record.inspectors[3])
                .unwrap_err()
                .code(),
            "no_replacement"
        );
        // market-1's team can still be changed, from market-1 only.
        let market_done = draw::recuse(&current, &staff, j, &record.inspectors[0]).unwrap();
        let last = market_done.inspections[j].recusals.last().unwrap();
        assert!(market_team.contains(&last.replacement));
        assert_eq!(market_done.inspections[j].inspectors[0], last.replacement);
        draw::verify(&market_done, &entities, &staff).unwrap();
    }
}

#[test]
fn plans_break_the_version_2_rules_with_invalid_plan() {
    let ratios = [(0u8, 5000u16)];
    let good = joint_plan(&ratios, 2);
    let item = |code: &str, department: &str| PlanItem {
        item: code.into(),
        department: org(department),
    };
    let seventeen: Vec<(String, String)> = (0..17)
        .map(|i| (format!("FOOD-{i:02}"), "market-1".to_string()))
        .collect();
    let sixteen_departments: Vec<(String, String)> = (0..16)
        .map(|i| (format!("ITEM-{i:02}"), format!("dept-{i:02}")))
        .collect();
    let plan_from = |pairs: &[(String, String)], p: u8| {
        let pairs: Vec<(&str, &str)> = pairs
            .iter()
            .map(|(c, d)| (c.as_str(), d.as_str()))
            .collect();
        plan_of(&pairs, &ratios, p)
    };
    let bad_plans = [
        // An item's department not among the plan's departments.
        DrawPlan {
            departments: vec![market()],
            items: vec![item("FOOD-01", "market-1"), item("TAX-01", "tax-1")],
            ..good.clone()
        },
        // A department without an item.
        DrawPlan {
            departments: vec![market(), org("police-1"), tax()],
            ..good.clone()
        },
        // Items out of order (by code, not by department).
        DrawPlan {
            items: vec![
                item("FOOD-01", "market-1"),
                item("EXCISE-01", "tax-1"),
                item("PRICE-01", "market-1"),
            ],
            ..good.clone()
        },
        // The same item twice, even for two departments.
        DrawPlan {
            items: vec![
                item("EXCISE-01", "tax-1"),
                item("FOOD-01", "market-1"),
                item("FOOD-01", "tax-1"),
            ],
            ..good.clone()
        },
        DrawPlan {
            items: vec![
                item("EXCISE-01", "tax-1"),
                item("FOOD-01", "market-1"),
                item("FOOD-01", "market-1"),
            ],
            ..good.clone()
        },
        // No items, 17 items.
        DrawPlan {
            items: vec![],
            ..good.clone()
        },
        plan_from(&seventeen, 2),
        // p × departments above 16: 6 × 3, 2 × 9, 8 × 3.
        plan_of(
            &[("A-01", "a-1"), ("B-01", "b-1"), ("C-01", "c-1")],
            &ratios,
            6,
        ),
        plan_from(&sixteen_departments[..9], 2),
        plan_from(&sixteen_departments[..3], 8),
        joint_plan(&ratios, 9),
        // A bad code among good ones.
        plan_of(
            &[("EXCISE 01", "tax-1"), ("FOOD-01", "market-1")],
            &ratios,
            2,
        ),
    ];
    let entities = entities(10, 1);
    let staff = joint_staff();
    for bad in &bad_plans {
        assert_eq!(
            draw::check_plan(bad).unwrap_err().code(),
            "invalid_plan",
            "{bad:?}"
        );
        assert_eq!(
            code(draw::draw(&Hash([2; 32]), bad, &entities, &staff, DATE)),
            "invalid_plan"
        );
        assert_eq!(
            independent::check_plan(&independent_plan(bad)),
            Err("invalid_plan"),
            "{bad:?}"
        );
    }
    // The limits themselves are allowed: 16 items, 8 × 2, 2 × 8, 1 × 16.
    let good_plans = [
        good,
        plan_from(&seventeen[..16], 8),
        plan_from(&sixteen_departments[..2], 8),
        plan_from(&sixteen_departments[..8], 2),
        plan_from(&sixteen_departments, 1),
        // Several items of one department, in any interleaving.
        plan_of(
            &[
                ("A-01", "tax-1"),
                ("B-01", "market-1"),
                ("C-01", "tax-1"),
                ("D-01", "market-1"),
            ],
            &ratios,
            2,
        ),
    ];
    for ok in &good_plans {
        assert!(draw::check_plan(ok).is_ok(), "{ok:?}");
        assert_eq!(independent::check_plan(&independent_plan(ok)), Ok(()));
    }
}

// ------------------------------------------------------------ determinism and sensitivity

fn org(name: &str) -> OrgId {
    OrgId::new(name).unwrap()
}

#[test]
fn the_same_inputs_give_the_same_draw_and_any_changed_input_another() {
    let plan = plan(&[(0, 1000), (1, 2000), (2, 500)], 2);
    let entities = entities(300, 3);
    let inspectors = all_eligible(12);
    let run = |seed: &Hash| draw::draw(seed, &plan, &entities, &inspectors, DATE).unwrap();
    let reveals =
        |a: [u8; 32], b: [u8; 32]| vec![(org("market-1"), a), (org("procuratorate-1"), b)];

    let mut seeds = std::collections::BTreeSet::new();
    let mut outcomes = std::collections::BTreeSet::new();
    for trial in 0..100u64 {
        let block = Hash(gen("block", trial));
        let (a, b) = (gen("nonce-a", trial), gen("nonce-b", trial));
        let base = draw::seed(&block, &reveals(a, b)).unwrap();
        assert_eq!(base, draw::seed(&block, &reveals(a, b)).unwrap());
        assert_eq!(run(&base), run(&base), "a draw is a function of its inputs");
        // Reveal order does not matter.
        let swapped = vec![reveals(a, b)[1].clone(), reveals(a, b)[0].clone()];
        assert_eq!(draw::seed(&block, &swapped).unwrap(), base);

        // A proposer grinding the block, or any one organisation changing
        // its nonce, gets another seed and another draw.
        let mut other_block = block;
        other_block.0[31] ^= 1;
        let mut other_a = a;
        other_a[0] ^= 0x80;
        let mut other_b = b;
        other_b[17] ^= 1;
        let variants = [
            draw::seed(&other_block, &reveals(a, b)).unwrap(),
            draw::seed(&block, &reveals(other_a, b)).unwrap(),
            draw::seed(&block, &reveals(a, other_b)).unwrap(),
        ];
        let result = run(&base);
        for variant in variants {
            assert_ne!(variant, base);
            assert_ne!(run(&variant).inspections, result.inspections);
        }
        seeds.insert(base);
        outcomes.insert(format!("{:?}", result.inspections));
    }
    assert_eq!(seeds.len(), 100);
    assert_eq!(outcomes.len(), 100, "no two trials drew the same");
}

// ------------------------------------------------------------ spread

#[test]
fn every_entity_and_inspector_is_drawn_about_equally_often() {
    // 10 entities of one class at 30 %: 3 per draw; 5 inspectors, 2 per
    // inspection; neither population is a power of two. Seeds are fixed, so
    // the counts are the same on every run; the bounds are 6 standard
    // deviations of the binomial either side of the mean.
    const SEEDS: u64 = 2000;
    let plan = plan(&[(0, 3000)], 2);
    let entities = entities(10, 1);
    let inspectors = all_eligible(5);
    let mut drawn = [0u64; 10];
    let mut first = [0u64; 10];
    let mut assigned = [0u64; 5];
    for n in 0..SEEDS {
        let result =
            draw::draw(&Hash(gen("spread", n)), &plan, &entities, &inspectors, DATE).unwrap();
        assert_eq!(result.inspections.len(), 3);
        for (k, inspection) in result.inspections.iter().enumerate() {
            let at = entities
                .iter()
                .position(|e| e.entity == inspection.entity)
                .unwrap();
            drawn[at] += 1;
            if k == 0 {
                first[at] += 1;
            }
            let [x, y] = inspection.inspectors[..] else {
                panic!("two inspectors")
            };
            assert_ne!(x, y);
            for officer in [x, y] {
                assigned[inspectors
                    .iter()
                    .position(|r| r.officer == officer)
                    .unwrap()] += 1;
            }
        }
    }
    let within = |count: u64, trials: u64, p_num: u64, p_den: u64| {
        let mean = trials as f64 * p_num as f64 / p_den as f64;
        let sd = (mean * (1.0 - p_num as f64 / p_den as f64)).sqrt();
        (count as f64 - mean).abs() <= 6.0 * sd
    };
    for (at, &count) in drawn.iter().enumerate() {
        assert!(
            within(count, SEEDS, 3, 10),
            "entity {at} drawn {count} times"
        );
    }
    for (at, &count) in first.iter().enumerate() {
        assert!(
            within(count, SEEDS, 1, 10),
            "entity {at} first {count} times"
        );
    }
    // 3 inspections per seed, each picks 2 of 5.
    for (at, &count) in assigned.iter().enumerate() {
        assert!(
            within(count, SEEDS * 3, 2, 5),
            "inspector {at} {count} times"
        );
    }
    assert_eq!(drawn.iter().sum::<u64>(), SEEDS * 3);
}

#[test]
fn ratios_round_up_and_a_full_ratio_draws_everyone() {
    let inspectors = all_eligible(3);
    for (population, bp, expected) in [
        (1usize, 1u16, 1u32),
        (7, 10_000, 7),
        (10, 3000, 3),
        (11, 3000, 4),
        (9_999, 1, 1),
        (10_001, 1, 2),
        (100, 0, 0),
    ] {
        let entities = entities(population, 1);
        let plan = plan(&[(0, bp), (1, 10_000)], 1);
        let extra = EntityRow {
            entity: "ZZ-EXTRA".into(),
            industry: "C1".into(),
            risk_class: 1,
        };
        let rows: Vec<EntityRow> = entities.iter().cloned().chain([extra]).collect();
        let result = draw::draw(&Hash(gen("round", 0)), &plan, &rows, &inspectors, DATE).unwrap();
        assert_eq!(result.classes[0].drawn, expected, "{population} at {bp}");
        let mut names: Vec<&str> = result
            .inspections
            .iter()
            .filter(|i| i.risk_class == 0)
            .map(|i| i.entity.as_str())
            .collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len() as u32, expected, "no entity drawn twice");
    }
}

// ------------------------------------------------------------ refusals

fn code(result: Result<DrawResult, DrawError>) -> &'static str {
    result.expect_err("a refusal").code()
}

#[test]
fn refusals_have_their_codes() {
    let seed = Hash(gen("refusal", 0));
    let good_plan = plan(&[(0, 5000)], 2);
    let rows = entities(20, 1);
    let staff = all_eligible(4);
    assert!(draw::draw(&seed, &good_plan, &rows, &staff, DATE).is_ok());

    // Empty population, or none in the plan's classes.
    assert_eq!(
        code(draw::draw(&seed, &good_plan, &[], &staff, DATE)),
        "empty_population"
    );
    assert_eq!(
        code(draw::draw(
            &seed,
            &plan(&[(7, 5000)], 2),
            &rows,
            &staff,
            DATE
        )),
        "empty_population"
    );
    // Ratio above 100 %.
    let err = draw::draw(&seed, &plan(&[(0, 10_001)], 2), &rows, &staff, DATE).unwrap_err();
    assert_eq!(err.code(), "ratio_above_100_percent");
    assert!(err.to_string().contains("10001"), "{err}");
    // Plans that draw nothing or cannot be read one way.
    for bad in [
        plan(&[(0, 0)], 2),
        plan(&[(1, 10), (0, 10)], 2),
        plan(&[(0, 10), (0, 20)], 2),
        plan(&[], 2),
        plan(&[(0, 10)], 0),
        plan(&[(0, 10)], 9),
        DrawPlan {
            departments: vec![],
            ..good_plan.clone()
        },
        DrawPlan {
            departments: vec![org("market-2"), market()],
            ..plan_of(
                &[("FOOD-01", "market-1"), ("PRICE-01", "market-2")],
                &[(0, 5000)],
                2,
            )
        },
        plan_of(&[("FOOD 01", "market-1")], &[(0, 5000)], 2),
        plan_of(&[("", "market-1")], &[(0, 5000)], 2),
        DrawPlan {
            items: vec![],
            ..good_plan.clone()
        },
    ] {
        assert_eq!(
            code(draw::draw(&seed, &bad, &rows, &staff, DATE)),
            "invalid_plan",
            "{bad:?}"
        );
    }
    assert_eq!(
        code(draw::draw(&seed, &good_plan, &rows, &staff, 20260230)),
        "invalid_draw_date"
    );

    // Unsorted and duplicate rows.
    let mut unsorted = rows.clone();
    unsorted.swap(3, 4);
    assert_eq!(
        code(draw::draw(&seed, &good_plan, &unsorted, &staff, DATE)),
        "rows_not_sorted"
    );
    assert_eq!(
        draw::entity_root(&unsorted).unwrap_err().code(),
        "rows_not_sorted"
    );
    let mut duplicate = rows.clone();
    duplicate[5] = duplicate[4].clone();
    assert_eq!(
        code(draw::draw(&seed, &good_plan, &duplicate, &staff, DATE)),
        "duplicate_row"
    );
    // The same entity in two classes is not next to itself, and still refused.
    let mut twice = entities(20, 2);
    let last = twice.len() - 1;
    assert_ne!(twice[0].risk_class, twice[last].risk_class);
    twice[last].entity = twice[0].entity.clone();
    twice.sort_by(|a, b| (a.risk_class, &a.entity).cmp(&(b.risk_class, &b.entity)));
    assert_eq!(
        code(draw::draw(&seed, &good_plan, &twice, &staff, DATE)),
        "duplicate_row"
    );
    let mut staff_unsorted = staff.clone();
    staff_unsorted.reverse();
    assert_eq!(
        code(draw::draw(&seed, &good_plan, &rows, &staff_unsorted, DATE)),
        "rows_not_sorted"
    );
    let mut staff_duplicate = staff.clone();
    staff_duplicate[1].officer = staff_duplicate[0].officer;
    assert_eq!(
        code(draw::draw(&seed, &good_plan, &rows, &staff_duplicate, DATE)),
        "duplicate_row"
    );
    // Malformed rows.
    let mut bad_entity = rows.clone();
    bad_entity[0].entity = String::new();
    assert_eq!(
        code(draw::draw(&seed, &good_plan, &bad_entity, &staff, DATE)),
        "invalid_row"
    );
    for change in [
        |r: &mut InspectorRow| r.scopes.clear(),
        |r: &mut InspectorRow| r.scopes = vec!["FOOD-02".into(), "FOOD-01".into()],
        |r: &mut InspectorRow| r.valid_until = 20251231,
        |r: &mut InspectorRow| r.valid_from = 20261301,
    ] {
        let mut bad = staff.clone();
        change(&mut bad[0]);
        assert_eq!(
            code(draw::draw(&seed, &good_plan, &rows, &bad, DATE)),
            "invalid_row"
        );
    }

    // No eligible inspector: expired on the date, not yet valid, out of scope, other department.
    assert_eq!(
        code(draw::draw(&seed, &good_plan, &rows, &staff, 20270101)),
        "too_few_inspectors"
    );
    assert_eq!(
        code(draw::draw(&seed, &good_plan, &rows, &staff, 20251231)),
        "too_few_inspectors"
    );
    let out_of_scope = plan_of(&[("DRUG-01", "market-1")], &[(0, 5000)], 2);
    assert_eq!(
        code(draw::draw(&seed, &out_of_scope, &rows, &staff, DATE)),
        "too_few_inspectors"
    );
    let other_department = plan_of(&[("FOOD-01", "tax-1")], &[(0, 5000)], 2);
    assert_eq!(
        code(draw::draw(&seed, &other_department, &rows, &staff, DATE)),
        "too_few_inspectors"
    );
    // Fewer eligible than one inspection needs.
    let mut three_valid = staff.clone();
    three_valid[2].valid_until = 20261206;
    three_valid[3].valid_until = 20261206;
    assert_eq!(
        code(draw::draw(
            &seed,
            &plan(&[(0, 5000)], 3),
            &rows,
            &three_valid,
            DATE
        )),
        "too_few_inspectors"
    );
}

#[test]
fn rows_beyond_the_bounds_are_refused() {
    let seed = Hash(gen("bounds", 0));
    // The count is checked before any row, so empty (allocation-free) rows do.
    let empty = EntityRow {
        entity: String::new(),
        industry: String::new(),
        risk_class: 0,
    };
    let too_many = vec![empty; MAX_ENTITIES + 1];
    let staff = all_eligible(2);
    let plan = plan(&[(0, 1)], 1);
    let err = draw::draw(&seed, &plan, &too_many, &staff, DATE).unwrap_err();
    assert_eq!(err.code(), "too_many_rows");
    assert!(err.to_string().contains("1000000"), "{err}");
    let officer = all_eligible(1).remove(0);
    let too_many_staff = vec![officer; MAX_INSPECTORS + 1];
    assert_eq!(
        code(draw::draw(
            &seed,
            &plan,
            &entities(1, 1),
            &too_many_staff,
            DATE
        )),
        "too_many_rows"
    );
}

#[test]
fn seed_and_reveal_refusals() {
    let block = Hash([7; 32]);
    let draw_id = DrawId::new("DRAW-0000000000000001");
    assert_eq!(
        draw::seed(&block, &[(market(), [1; 32])])
            .unwrap_err()
            .code(),
        "too_few_reveals"
    );
    assert_eq!(
        draw::seed(&block, &[(market(), [1; 32]), (market(), [2; 32])])
            .unwrap_err()
            .code(),
        "duplicate_reveal"
    );
    let many: Vec<(OrgId, [u8; 32])> = (0..65)
        .map(|i| (org(&format!("org-{i}")), [i as u8; 32]))
        .collect();
    assert_eq!(
        draw::seed(&block, &many).unwrap_err().code(),
        "too_many_reveals"
    );
    assert!(draw::seed(&block, &many[..64]).is_ok());
    let committed = draw::commitment(&[5; 32], &draw_id, &market());
    assert!(draw::check_reveal(&committed, &[5; 32], &draw_id, &market()).is_ok());
    let err = draw::check_reveal(&committed, &[5; 32], &draw_id, &org("market-2")).unwrap_err();
    assert_eq!(err.code(), "reveal_mismatch");
}

// ------------------------------------------------------------ recusal

#[test]
fn a_recusal_draws_an_eligible_unassigned_replacement_again_and_again_the_same() {
    let plan = plan(&[(0, 2000)], 2);
    let entities = entities(50, 1);
    // Eligible ones and some that are not (expired, other scope, other department).
    let mut staff = all_eligible(6);
    staff.extend(inspectors(30, 99));
    staff.sort_by_key(|r| r.officer.0);
    let eligible: Vec<KeyId> = staff
        .iter()
        .filter(|r| r.is_eligible(DATE, &market(), plan.items_of(&market())))
        .map(|r| r.officer)
        .collect();
    for n in 0..20u64 {
        let seed = Hash(gen("recusal", n));
        let result = draw::draw(&seed, &plan, &entities, &staff, DATE).unwrap();
        let j = (n as usize) % result.inspections.len();
        let officer = result.inspections[j].inspectors[1];
        let once = draw::recuse(&result, &staff, j, &officer).unwrap();
        assert_eq!(
            once,
            draw::recuse(&result, &staff, j, &officer).unwrap(),
            "re-runnable"
        );
        let changed = &once.inspections[j];
        let replacement = changed.inspectors[1];
        assert!(eligible.contains(&replacement));
        assert!(!result.inspections[j].inspectors.contains(&replacement));
        assert_eq!(changed.inspectors[0], result.inspections[j].inspectors[0]);
        assert_eq!(changed.recusals.len(), 1);
        // Other inspections are untouched.
        for (k, inspection) in once.inspections.iter().enumerate() {
            if k != j {
                assert_eq!(inspection, &result.inspections[k]);
            }
        }
        // The recused officer never comes back on that inspection.
        let mut current = once;
        while let Ok(next) =
            draw::recuse(&current, &staff, j, &current.inspections[j].inspectors[0])
        {
            current = next;
        }
        let record = &current.inspections[j];
        let mut seen: Vec<KeyId> = record.recusals.iter().map(|r| r.officer).collect();
        seen.extend(record.inspectors.iter().copied());
        let count = seen.len();
        seen.sort_by_key(|k| k.0);
        seen.dedup();
        assert_eq!(seen.len(), count, "no officer twice on one inspection");
        assert_eq!(count, eligible.len(), "recusals run until nobody is left");
        assert_eq!(
            draw::recuse(&current, &staff, j, &current.inspections[j].inspectors[0])
                .unwrap_err()
                .code(),
            "no_replacement"
        );
    }
}

#[test]
fn recusal_refusals() {
    let plan = plan(&[(0, 2000)], 2);
    let entities = entities(20, 1);
    let staff = all_eligible(5);
    let result = draw::draw(&Hash([3; 32]), &plan, &entities, &staff, DATE).unwrap();
    let assigned = &result.inspections[0].inspectors;
    let outsider = staff
        .iter()
        .map(|r| r.officer)
        .find(|k| !assigned.contains(k))
        .unwrap();
    let err = draw::recuse(&result, &staff, 0, &outsider).unwrap_err();
    assert_eq!(err.code(), "inspector_not_assigned");
    assert!(err.to_string().contains(&outsider.to_hex()), "{err}");
    assert_eq!(
        draw::recuse(&result, &staff, 99, &assigned[0])
            .unwrap_err()
            .code(),
        "no_such_inspection"
    );
    let other_snapshot = all_eligible(6);
    assert_eq!(
        draw::recuse(&result, &other_snapshot, 0, &assigned[0])
            .unwrap_err()
            .code(),
        "snapshot_mismatch"
    );
}

#[test]
fn a_claimed_draw_verifies_only_as_drawn() {
    let plan = plan(&[(0, 2000), (1, 5000)], 2);
    let entities = entities(40, 2);
    let staff = all_eligible(7);
    let result = draw::draw(&Hash([4; 32]), &plan, &entities, &staff, DATE).unwrap();
    let officer = result.inspections[1].inspectors[0];
    let recused = draw::recuse(&result, &staff, 1, &officer).unwrap();
    let officer = recused.inspections[1].inspectors[1];
    let recused = draw::recuse(&recused, &staff, 1, &officer).unwrap();
    let officer = recused.inspections[3].inspectors[0];
    let recused = draw::recuse(&recused, &staff, 3, &officer).unwrap();
    draw::verify(&result, &entities, &staff).unwrap();
    draw::verify(&recused, &entities, &staff).unwrap();

    let mismatch =
        |claimed: &DrawResult| draw::verify(claimed, &entities, &staff).unwrap_err().code();
    let mut other_entity = recused.clone();
    other_entity.inspections[0].entity = entities
        .iter()
        .map(|e| e.entity.clone())
        .find(|e| recused.inspections.iter().all(|i| &i.entity != e))
        .unwrap();
    assert_eq!(mismatch(&other_entity), "result_mismatch");
    let mut other_inspector = recused.clone();
    other_inspector.inspections[2].inspectors.swap(0, 1);
    assert_eq!(mismatch(&other_inspector), "result_mismatch");
    let mut other_replacement = recused.clone();
    let record = &mut other_replacement.inspections[3];
    let chosen = record.recusals[0].replacement;
    let other = staff
        .iter()
        .map(|r| r.officer)
        .find(|k| {
            *k != chosen && !record.inspectors.contains(k) && *k != record.recusals[0].officer
        })
        .unwrap();
    record.recusals[0].replacement = other;
    let slot = record.inspectors.iter().position(|k| *k == chosen).unwrap();
    record.inspectors[slot] = other;
    assert_eq!(mismatch(&other_replacement), "result_mismatch");
    let mut dropped = recused.clone();
    dropped.inspections.pop();
    assert_eq!(mismatch(&dropped), "result_mismatch");
    let mut other_seed = recused.clone();
    other_seed.seed.0[0] ^= 1;
    assert_eq!(mismatch(&other_seed), "result_mismatch");
    let mut other_date = result.clone();
    other_date.date = 20270101; // every inspector expired
    assert_eq!(mismatch(&other_date), "too_few_inspectors");

    assert_eq!(
        draw::verify(&recused, &entities[1..], &staff)
            .unwrap_err()
            .code(),
        "snapshot_mismatch"
    );
    assert_eq!(
        draw::verify(&recused, &entities, &staff[1..])
            .unwrap_err()
            .code(),
        "snapshot_mismatch"
    );
}
