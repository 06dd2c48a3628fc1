//! The Chinese and English names of every code the ledger shows a person:
//! case states, actions, deadline rules, case domains, outcomes, attachment
//! kinds, clock actors, supervision flags, fact kinds and penalty kinds.
//!
//! One table per kind, here only: the CLI prints from these tables, and the
//! node serves them at `GET /v1/names` for the web console. The node's tests
//! check that every value of the ledger's enums, every action of the
//! contracts' transition table and every deadline rule of the default
//! parameters has a name, so a new code without one fails the build's tests.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// The names of one code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Name {
    /// The code as the ledger writes it (`S8X_NOT_FILED`, `open-case`).
    pub code: &'static str,
    /// 中文名.
    pub zh: &'static str,
    /// English name.
    pub en: &'static str,
}

const fn n(code: &'static str, zh: &'static str, en: &'static str) -> Name {
    Name { code, zh, en }
}

/// Case states (DOMAIN §b.1, §c.2).
pub const STATES: &[Name] = &[
    n("S0_LEAD", "线索", "lead"),
    n("S1_ADMIN_CASE", "行政立案", "administrative case"),
    n("S2_SUSPECTED_CRIME", "涉嫌犯罪", "suspected crime"),
    n("S3_TASKFORCE", "专案组核查", "task force"),
    n("S4_PENDING_APPROVAL", "待负责人审批", "pending approval"),
    n("S5_APPROVED", "已批准移送", "transfer approved"),
    n("S5X_NOT_APPROVED", "不批准移送", "transfer not approved"),
    n("S6_TRANSFERRED", "已移送待回执", "transferred"),
    n("S7_RECEIVED", "公安已接收", "received by police"),
    n("S7F_FORWARDED", "已转送主管机关", "forwarded"),
    n("S7M_SUPPLEMENT", "补正材料", "materials requested"),
    n("S8_FILED", "已立案", "filed"),
    n("S8X_NOT_FILED", "不予立案", "not filed"),
    n("S8R_RECONSIDERATION", "复议中", "reconsideration"),
    n("S8S_FILING_SUPERVISION", "立案监督", "filing supervision"),
    n("S8O_OVERDUE", "立案逾期", "filing overdue"),
    n("S9_ITEMS_HANDED_OVER", "交接办结", "items handed over"),
    n("S10_INVESTIGATION", "侦查", "investigation"),
    n("S10X_WITHDRAWN", "撤销案件", "withdrawn"),
    n("S11_PROSECUTION_REVIEW", "审查起诉", "prosecution review"),
    n("S12X_NOT_PROSECUTED", "不起诉", "not prosecuted"),
    n("S12_INDICTED", "提起公诉", "indicted"),
    n("S13_TRIAL", "审理", "trial"),
    n("S14_JUDGMENT", "判决", "judgment"),
    n("S15_FEEDBACK", "结果反馈", "feedback"),
    n("S16_CLOSED", "结案", "closed"),
    n("R0_TRIGGER", "反向衔接", "reverse path"),
    n("R1_INTERNAL_TRANSFER", "内部移送", "internal transfer"),
    n("R2_REVIEW", "行政检察审查", "review"),
    n("R2_TERMINATED", "终结审查", "review terminated"),
    n("R3_TRANSFERRED", "检察意见已送达", "opinion delivered"),
    n(
        "R4_ADMIN_CASE",
        "行政立案（反向）",
        "administrative case (reverse)",
    ),
    n("R5_DECIDED", "已作出决定", "decided"),
    n("R6_REPLIED", "已回复", "replied"),
    n("R7_PUBLISHED", "已公示", "published"),
    n("R8_FOLLOW_UP", "跟踪督促", "follow-up"),
    n("R9_CLOSED", "反向衔接结案", "closed (reverse path)"),
    n("R2S_SUSPENDED", "中止审查", "review suspended"),
];

/// Case actions: the opening and every row of the transition table.
pub const ACTIONS: &[Name] = &[
    n("open-case", "登记线索", "open case"),
    n("open-admin-case", "行政立案", "open administrative case"),
    n("mark-suspected", "认定涉嫌犯罪", "mark suspected crime"),
    n("form-taskforce", "成立专案组", "form task force"),
    n("submit-report", "提交移送报告", "submit transfer report"),
    n("approve-transfer", "批准移送", "approve transfer"),
    n("decline-transfer", "不批准移送", "decline transfer"),
    n("resubmit", "重新报请审批", "resubmit for approval"),
    n(
        "continue-admin",
        "继续行政处理",
        "continue administrative handling",
    ),
    n(
        "suggest-transfer",
        "检察意见建议移送",
        "procuratorial opinion: transfer",
    ),
    n("transfer", "移送公安机关", "transfer to police"),
    n("receive", "签收回执", "sign receipt"),
    n("forward", "转送主管机关", "forward to competent organ"),
    n(
        "request-materials",
        "要求补正材料",
        "request missing materials",
    ),
    n("supply-materials", "补正材料", "supply missing materials"),
    n("return-to-admin", "退回行政机关", "return to agency"),
    n("file", "立案", "file criminal case"),
    n("decline-filing", "不予立案", "decline filing"),
    n("mark-overdue", "记录立案逾期", "record filing overdue"),
    n("hand-over-items", "移交涉案物品", "hand over items"),
    n(
        "request-reconsideration",
        "提请复议",
        "request reconsideration",
    ),
    n(
        "decide-reconsideration",
        "复议决定",
        "decide reconsideration",
    ),
    n("request-supervision", "立案监督", "filing supervision"),
    n(
        "demand-reasons",
        "要求说明不立案理由",
        "demand reasons for non-filing",
    ),
    n("explain", "说明理由", "explain in writing"),
    n("accept-reasons", "认为理由成立", "accept the reasons"),
    n("order-filing", "通知立案", "order filing"),
    n("accept-non-filing", "接受不予立案", "accept non-filing"),
    n("start-investigation", "开始侦查", "start investigation"),
    n("withdraw", "撤销案件", "withdraw case"),
    n("transfer-back", "移回行政机关", "transfer back to agency"),
    n(
        "refer-for-prosecution",
        "移送审查起诉",
        "refer for prosecution",
    ),
    n(
        "extend-prosecution-review",
        "延长审查起诉期限",
        "extend prosecution review",
    ),
    n(
        "return-for-investigation",
        "退回补充侦查",
        "return for supplementary investigation",
    ),
    n("indict", "提起公诉", "indict"),
    n("not-prosecute", "不起诉", "decide not to prosecute"),
    n("accept-trial", "受理审判", "accept for trial"),
    n("extend-trial", "延长审理期限", "extend trial"),
    n("judgment", "判决", "judgment"),
    n("feedback", "结果反馈", "feed back outcome"),
    n("internal-transfer", "内部移送行政检察", "internal transfer"),
    n("register-review", "登记审查", "register review"),
    n("terminate-review", "终结审查", "terminate review"),
    n("suspend-review", "中止审查", "suspend review"),
    n("resume-review", "恢复审查", "resume review"),
    n(
        "revoke-non-prosecution",
        "撤销不起诉决定",
        "revoke non-prosecution",
    ),
    n(
        "reverse-transfer",
        "送达检察意见",
        "deliver procuratorial opinion",
    ),
    n("accept-reverse", "接收反向移送", "accept reverse transfer"),
    n("penalty-decision", "作出处罚决定", "penalty decision"),
    n("reply", "回复检察机关", "reply to procuratorate"),
    n("publish", "公示处罚", "publish penalty"),
    n("follow-up", "跟踪督促", "follow up"),
    n("close", "结案", "close case"),
    n("extend-review", "延长行政检察审查期限", "extend review"),
    n(
        "extend-penalty-decision",
        "延长行政处罚决定期限",
        "extend penalty decision",
    ),
    n(
        "start-excluded-time",
        "开始不计入期限的检测、鉴定或听证",
        "start excluded time",
    ),
    n(
        "end-excluded-time",
        "检测、鉴定或听证结束",
        "end excluded time",
    ),
    n(
        "answer-opinion",
        "书面回复检察意见",
        "answer the procuratorial opinion",
    ),
    n("request-file", "调阅案卷", "request the case file"),
    n("answer-file-request", "提供案卷", "answer the file request"),
    n(
        "notice-to-correct",
        "发出纠正违法通知书",
        "notice to correct",
    ),
    n(
        "report-to-higher",
        "报告上级检察院",
        "report to the higher procuratorate",
    ),
    n("correction-opinion", "提出纠正意见", "correction opinion"),
    n(
        "move-case",
        "移交其他公安机关",
        "move to another police organ",
    ),
    n(
        "notify-move",
        "书面通知案件移交",
        "notify the agency of the move",
    ),
    n("urge-investigation", "发出催办函", "urge the investigation"),
    n(
        "demand-filing-reasons",
        "要求说明立案理由",
        "demand the reasons for filing",
    ),
    n("explain-filing", "说明立案理由", "explain the filing"),
    n(
        "notify-withdrawal",
        "通知撤销案件",
        "notify withdrawal of the case",
    ),
    n(
        "request-proc-reconsideration",
        "要求检察院复议",
        "ask the procuratorate to reconsider",
    ),
    n(
        "decide-proc-reconsideration",
        "作出复议决定",
        "decide the reconsideration",
    ),
    n(
        "request-higher-review",
        "提请上级检察院复核",
        "ask the higher procuratorate to review",
    ),
    n("decide-higher-review", "作出复核决定", "decide the review"),
];

/// Deadline rules (DOMAIN Appendix A) and their sector overrides.
pub const DEADLINE_RULES: &[Name] = &[
    n(
        "CONSULTATION_ANSWER",
        "咨询答复（7日，参数）",
        "answer a consultation (7 days, a parameter)",
    ),
    n(
        "ASSISTANCE_ANSWER",
        "协助办理（15日，参数）",
        "give the assistance asked (15 days, a parameter)",
    ),
    n(
        "CLUE_RESPONSE",
        "线索接收答复（7日，参数）",
        "answer a clue (7 days, a parameter)",
    ),
    n(
        "DRAW_COMMIT",
        "双随机抽取提交承诺（2日，参数）",
        "commit to a draw's nonce (2 days, a parameter)",
    ),
    n(
        "DRAW_REVEAL",
        "双随机抽取公开随机数（2日，参数）",
        "reveal a draw's nonce (2 days, a parameter)",
    ),
    n(
        "DRAW_NAME",
        "公示抽中的检查对象（2日，参数）",
        "show the drawn entities (2 days, a parameter)",
    ),
    n(
        "DRAW_RESULT",
        "抽查结果公示（20个工作日，参数）",
        "publish the inspection results (20 working days, a parameter)",
    ),
    n(
        "DRAW_SNAPSHOT_AGE",
        "名录快照有效期（90日，参数）",
        "age of an entity snapshot a draw may use (90 days, a parameter)",
    ),
    n(
        "CLUE_DECISION",
        "线索受理后处理决定（30日，参数）",
        "decide on an accepted clue (30 days, a parameter)",
    ),
    n(
        "AEA_HEAD_DECISION",
        "负责人审批移送（3日）",
        "head's transfer decision (3 days)",
    ),
    n(
        "TRANSFER_AFTER_APPROVAL",
        "批准后移送（24小时）",
        "transfer after approval (24 hours)",
    ),
    n(
        "PSB_FORWARD_IF_NOT_COMPETENT",
        "转送主管机关（24小时）",
        "forward to the competent organ (24 hours)",
    ),
    n(
        "PSB_NOTIFY_MISSING_MATERIALS",
        "通知补正材料（24小时）",
        "notify missing materials (24 hours)",
    ),
    n(
        "AEA_SUPPLEMENT_MATERIALS",
        "补正材料（3日）",
        "supply missing materials (3 days)",
    ),
    n(
        "PSB_FILING_DECISION",
        "公安立案审查（3日）",
        "police filing decision (3 days)",
    ),
    n(
        "AEA_HANDOVER_ITEMS",
        "移交涉案物品（3日）",
        "hand over items (3 days)",
    ),
    n(
        "AEA_REQUEST_RECONSIDERATION",
        "提请复议（3日）",
        "request reconsideration (3 days)",
    ),
    n(
        "PSB_RECONSIDERATION_DECISION",
        "复议决定（3日）",
        "reconsideration decision (3 days)",
    ),
    n(
        "AEA_SUGGEST_SUPERVISION_AFTER_RECON",
        "复议后建议立案监督（3日）",
        "suggest supervision after reconsideration (3 days)",
    ),
    n(
        "PSB_EXPLAIN_NON_FILING",
        "说明不立案理由（7日）",
        "explain non-filing (7 days)",
    ),
    n(
        "PROC_INFORM_AEA_REASONS_VALID",
        "告知理由成立（10日）",
        "inform agency reasons are valid (10 days)",
    ),
    n(
        "PSB_FILE_AFTER_NOTICE",
        "通知立案后立案（15日）",
        "file after the order (15 days)",
    ),
    n(
        "PSB_EXPLAIN_OVERDUE",
        "说明逾期理由（7日）",
        "explain overdue decision (7 days)",
    ),
    n(
        "PROC_URGE_INVESTIGATION",
        "侦查催办（3个月）",
        "urge investigation (3 months)",
    ),
    n(
        "PSB_NOTIFY_AEA_CASE_MOVED",
        "移交后通知行政机关（3日）",
        "notify agency of a moved case (3 days)",
    ),
    n(
        "PROC_PROSECUTION_DECISION",
        "审查起诉（1个月）",
        "prosecution decision (1 month)",
    ),
    n(
        "PSB_SUPPLEMENTARY_INVESTIGATION",
        "补充侦查（1个月）",
        "supplementary investigation (1 month)",
    ),
    n("COURT_JUDGMENT", "审理判决（2个月）", "judgment (2 months)"),
    n(
        "REV_INTERNAL_TRANSFER",
        "内部移送行政检察（3个工作日）",
        "internal transfer (3 working days)",
    ),
    n(
        "REV_ADMIN_PROSECUTION_REVIEW",
        "行政检察审查（10个工作日）",
        "administrative-prosecution review (10 working days)",
    ),
    n(
        "REV_AEA_REPLY",
        "回复检察意见（2个月）",
        "reply to the procuratorial opinion (2 months)",
    ),
    n(
        "ADMIN_PENALTY_DECISION",
        "作出行政处罚决定（90日）",
        "administrative penalty decision (90 days)",
    ),
    n(
        "SAMR_PENALTY_PUBLICATION",
        "处罚信息公示（20个工作日）",
        "publish the penalty (20 working days)",
    ),
    n(
        "FOOD_RETEST_OBJECTION",
        "食品复检异议（7个工作日）",
        "food re-test objection (7 working days)",
    ),
    n(
        "PRODUCT_QUALITY_RETEST_OBJECTION",
        "产品质量复检异议（15日）",
        "product-quality re-test objection (15 days)",
    ),
    n(
        "UNTRANSFERRED_SUSPECTED_CRIME",
        "达到追诉标准后移送（有案不移，30日）",
        "transfer once a threshold is met (30 days)",
    ),
    n(
        "food_drug_2015",
        "食品药品领域（10日）",
        "food and drug sector (10 days)",
    ),
    n(
        "samr_general",
        "市场监管综合领域公示",
        "market regulation, general",
    ),
    n(
        "samr_food_drug",
        "市场监管食品药品领域公示",
        "market regulation, food and drug",
    ),
    n(
        "samr_drug",
        "市场监管药品领域公示",
        "market regulation, drugs",
    ),
    n(
        "samr_ip",
        "市场监管知识产权领域公示",
        "market regulation, intellectual property",
    ),
    n(
        "AEA_ANSWER_FILE_REQUEST",
        "提供调阅案卷（7日）",
        "answer the file request (7 days)",
    ),
    n(
        "AEA_RESPOND_TO_OPINION",
        "回复检察意见（30日）",
        "answer the procuratorial opinion (30 days)",
    ),
    n(
        "PSB_EXPLAIN_FILING",
        "说明立案理由（7日）",
        "explain the filing (7 days)",
    ),
    n(
        "PSB_REQUEST_PROC_RECONSIDERATION",
        "要求复议期限（15日）",
        "window to ask for reconsideration (15 days)",
    ),
    n(
        "PSB_WITHDRAW_AFTER_NOTICE",
        "撤销案件或者提出复议（15日）",
        "withdraw the case or ask for reconsideration (15 days)",
    ),
    n(
        "PROC_DECIDE_RECONSIDERATION",
        "作出复议决定（7日）",
        "decide the reconsideration (7 days)",
    ),
    n(
        "PSB_REQUEST_HIGHER_REVIEW",
        "提请复核期限（15日）",
        "window to ask for review (15 days)",
    ),
    n(
        "PROC_DECIDE_HIGHER_REVIEW",
        "作出复核决定（15日）",
        "decide the review (15 days)",
    ),
];

/// Case domains (sector overlays, `cases.domains`).
pub const DOMAINS: &[Name] = &[
    n("general", "综合", "general"),
    n("food_drug", "食品药品", "food and drug"),
    n("drug", "药品", "drugs"),
    n("environment", "生态环境", "environment"),
    n("tax", "税务", "tax"),
    n("customs", "海关", "customs"),
    n("ip", "知识产权", "intellectual property"),
    n("tobacco", "烟草专卖", "tobacco"),
];

/// Outcomes an action records.
pub const OUTCOMES: &[Name] = &[
    n("file", "立案", "file"),
    n("uphold", "维持原决定", "uphold"),
    n("convicted", "有罪判决", "convicted"),
    n("exempted", "免予刑事处罚", "exempted from punishment"),
    n("acquitted", "无罪", "acquitted"),
    n("penalty", "予以处罚", "penalty"),
    n("no-penalty", "不予处罚", "no penalty"),
    n(
        "convicted-fined",
        "有罪并处罚金",
        "convicted with a criminal fine",
    ),
    n("fine", "罚款", "penalty with a fine"),
    n("revoke", "撤销", "revoke"),
];

/// Attachment kinds of case actions.
pub const ATTACHMENTS: &[Name] = &[
    n("case-opening-record", "立案审批表", "case-opening record"),
    n(
        "threshold-evaluation",
        "追诉标准评估",
        "threshold evaluation",
    ),
    n("evidence-list", "证据清单", "evidence list"),
    n(
        "transfer-report",
        "移送涉嫌犯罪案件的书面报告",
        "written transfer report",
    ),
    n("decision-record", "审批决定", "decision record"),
    n("reasons", "理由", "reasons"),
    n("transfer-letter", "涉嫌犯罪案件移送书", "transfer letter"),
    n(
        "investigation-report",
        "涉嫌犯罪案件情况的调查报告",
        "investigation report",
    ),
    n("item-inventory", "涉案物品清单", "inventory of items"),
    n(
        "test-report",
        "检验报告或鉴定意见",
        "test report or appraisal",
    ),
    n("other-materials", "其他材料", "other materials"),
    n("receipt", "回执", "receipt"),
    n("forwarding-record", "转送记录", "forwarding record"),
    n(
        "missing-materials-list",
        "补正材料清单",
        "list of missing materials",
    ),
    n(
        "supplementary-materials",
        "补正材料",
        "supplementary materials",
    ),
    n("filing-decision", "立案决定书", "filing decision"),
    n("non-filing-notice", "不予立案通知书", "non-filing notice"),
    n("handover-list", "交接清单", "handover list"),
    n(
        "reconsideration-request",
        "复议申请",
        "reconsideration request",
    ),
    n(
        "reconsideration-decision",
        "复议决定书",
        "reconsideration decision",
    ),
    n("supervision-request", "立案监督建议", "supervision request"),
    n(
        "reasons-demand",
        "要求说明不立案理由通知书",
        "demand for reasons",
    ),
    n("explanation", "不立案理由说明书", "explanation"),
    n("filing-notice", "通知立案书", "filing notice"),
    n(
        "procuratorial-opinion",
        "检察意见书",
        "procuratorial opinion",
    ),
    n(
        "withdrawal-decision",
        "撤销案件决定书",
        "withdrawal decision",
    ),
    n("prosecution-opinion", "起诉意见书", "prosecution opinion"),
    n("indictment", "起诉书", "indictment"),
    n(
        "non-prosecution-decision",
        "不起诉决定书",
        "non-prosecution decision",
    ),
    n("judgment", "判决书", "judgment"),
    n("outcome-notice", "结果通知", "outcome notice"),
    n("penalty-decision", "行政处罚决定书", "penalty decision"),
    n("reply", "回复函", "reply"),
    n("disclosure-record", "公示记录", "disclosure record"),
    n("closure-record", "结案报告", "closure record"),
    n(
        "termination-decision",
        "终结审查决定书",
        "termination decision",
    ),
    n("recovery-notice", "税务追缴通知书", "tax recovery notice"),
    n("return-notice", "退回通知书", "return notice"),
    n(
        "procuratorial-suggestion",
        "检察建议书",
        "procuratorial suggestion",
    ),
    n(
        "suspension-decision",
        "中止审查决定书",
        "suspension decision",
    ),
    n(
        "non-prosecution-upheld",
        "维持不起诉决定",
        "non-prosecution upheld",
    ),
    n(
        "non-prosecution-revoked",
        "撤销不起诉决定书",
        "non-prosecution revoked",
    ),
    n("file-request", "调阅案卷函", "file request"),
    n("case-file-index", "案卷目录", "case file index"),
    n(
        "opinion-response",
        "检察意见回复函",
        "response to the opinion",
    ),
    n("correction-notice", "纠正违法通知书", "notice to correct"),
    n(
        "report-to-higher",
        "报告上级检察院的报告",
        "report to the higher procuratorate",
    ),
    n("urging-letter", "催办函", "urging letter"),
    n("move-notice", "案件移交通知书", "notice of the move"),
    n(
        "filing-reasons-demand",
        "要求说明立案理由通知书",
        "demand for the reasons for filing",
    ),
    n(
        "filing-explanation",
        "立案理由说明书",
        "explanation of the filing",
    ),
    n(
        "withdrawal-notice",
        "通知撤销案件书",
        "notice to withdraw the case",
    ),
    n("review-request", "提请复核意见书", "request for review"),
    n("review-decision", "复核决定书", "review decision"),
];

/// Who must act on a clock (DOMAIN §a role codes).
pub const ACTORS: &[Name] = &[
    n("AEA", "行政执法机关", "administrative agency"),
    n("AEA_HEAD", "行政执法机关负责人", "agency head"),
    n("PSB", "公安机关", "police"),
    n("PROC", "人民检察院", "procuratorate"),
    n("COURT", "人民法院", "court"),
    n("PARTY", "当事人", "party"),
    n("RECEIVER", "线索接收机关", "the clue's receiver"),
    n("ASKED", "被咨询机关", "the organ asked"),
];

/// Organisation kinds (DOMAIN §a), by their wire names.
pub const ORG_KINDS: &[Name] = &[
    n(
        "administrative_agency",
        "行政执法机关",
        "administrative agency",
    ),
    n("police", "公安机关", "police"),
    n("procuratorate", "人民检察院", "procuratorate"),
    n("court", "人民法院", "court"),
    n("testing_body", "检验检测机构", "testing body"),
    n(
        "government_office",
        "人民政府/政府牵头部门",
        "people's government (lead office)",
    ),
    n(
        "supervisory_commission",
        "监察委员会",
        "supervisory commission",
    ),
];

/// Supervision flags.
pub const FLAG_KINDS: &[Name] = &[
    n(
        "penalty_instead_of_transfer",
        "以罚代刑",
        "penalty instead of transfer",
    ),
    n(
        "untransferred_suspected_crime",
        "有案不移",
        "suspected crime not transferred",
    ),
];

/// Key facts recorded for the threshold rules.
pub const FACT_KINDS: &[Name] = &[
    n("sales-amount", "销售金额", "sales amount"),
    n(
        "unsold-goods-value",
        "尚未销售的货值金额",
        "value of unsold goods",
    ),
    n("evaded-tax", "逃避缴纳税款", "tax evaded"),
    n("tax-payable", "应纳税额", "tax payable"),
    n(
        "heavy-metal-multiple",
        "重金属超标倍数",
        "heavy-metal multiple of the standard",
    ),
    n(
        "other-metal-multiple",
        "其他金属超标倍数",
        "other-metal multiple of the standard",
    ),
    n("hazardous-waste", "危险废物数量", "hazardous waste"),
    n("loss", "公私财产损失", "property loss"),
    n("illegal-gains", "违法所得", "illegal gains"),
    n("business-amount", "非法经营数额", "illegal business amount"),
    n("cigarettes", "卷烟数量", "cigarettes"),
    n(
        "earlier-penalties",
        "此前行政处罚次数",
        "earlier administrative penalties",
    ),
    n(
        "earlier-criminal-penalties",
        "五年内刑事处罚次数",
        "earlier criminal penalties",
    ),
    n(
        "water-supply-interrupted",
        "取水中断时长",
        "water supply interrupted",
    ),
    n(
        "protected-zone-discharge",
        "在饮用水水源保护区排放",
        "discharge in a protected zone",
    ),
    n(
        "concealed-discharge",
        "通过暗管等隐蔽排放",
        "concealed discharge",
    ),
    n(
        "falsified-monitoring",
        "篡改伪造自动监测数据",
        "falsified monitoring data",
    ),
    n(
        "recovery-notice-issued",
        "已下达追缴通知",
        "recovery notice issued",
    ),
    n("paid-in-full", "已补缴税款并接受处罚", "paid in full"),
    n("reasonable-suspicion", "有合理怀疑", "reasonable suspicion"),
];

/// Units of key facts.
pub const FACT_UNITS: &[Name] = &[
    n("fen", "分", "fen"),
    n("kg", "千克", "kg"),
    n("hundredths", "百分之一倍", "hundredths"),
    n("count", "次/支", "count"),
    n("hours", "小时", "hours"),
    n("yes", "是/否", "yes/no"),
];

/// Kinds of an administrative penalty (APL Art 9).
pub const PENALTY_KINDS: &[Name] = &[
    n("warning", "警告", "warning"),
    n("criticism", "通报批评", "public criticism"),
    n("fine", "罚款", "fine"),
    n("confiscation", "没收违法所得、非法财物", "confiscation"),
    n("suspend-licence", "暂扣许可证件", "licence suspended"),
    n(
        "downgrade-qualification",
        "降低资质等级",
        "qualification downgraded",
    ),
    n("revoke-licence", "吊销许可证件", "licence revoked"),
    n(
        "restrict-business",
        "限制开展生产经营活动",
        "business restricted",
    ),
    n("suspend-business", "责令停产停业", "business suspended"),
    n("order-closure", "责令关闭", "closure ordered"),
    n("restrict-practice", "限制从业", "practice restricted"),
    n("detention", "行政拘留", "administrative detention"),
];

/// The name of `code` in `table`, if it has one.
pub fn lookup(table: &[Name], code: &str) -> Option<Name> {
    table.iter().copied().find(|name| name.code == code)
}

/// `中文名 (code)` for the CLI; the bare code when the table has no name.
pub fn zh_with_code(table: &[Name], code: &str) -> String {
    match lookup(table, code) {
        Some(name) => format!("{} ({code})", name.zh),
        None => code.to_owned(),
    }
}

/// One code with its names, as `GET /v1/names` answers it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct NameView {
    /// The code as the ledger writes it.
    pub code: String,
    /// 中文名.
    pub zh: String,
    /// English name.
    pub en: String,
}

/// Every name table (`GET /v1/names`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct NamesView {
    /// Case states.
    pub states: Vec<NameView>,
    /// Case actions, with `open-case`.
    pub actions: Vec<NameView>,
    /// Deadline rules and their sector overrides.
    pub deadline_rules: Vec<NameView>,
    /// Case domains.
    pub domains: Vec<NameView>,
    /// Outcomes.
    pub outcomes: Vec<NameView>,
    /// Attachment kinds.
    pub attachments: Vec<NameView>,
    /// Clock actors.
    pub actors: Vec<NameView>,
    /// Organisation kinds.
    pub org_kinds: Vec<NameView>,
    /// Supervision flag kinds.
    pub flag_kinds: Vec<NameView>,
    /// Key fact kinds.
    pub fact_kinds: Vec<NameView>,
    /// Key fact units.
    pub fact_units: Vec<NameView>,
    /// Administrative penalty kinds.
    pub penalty_kinds: Vec<NameView>,
}

impl NamesView {
    /// The tables above.
    pub fn all() -> Self {
        let view = |table: &[Name]| {
            table
                .iter()
                .map(|name| NameView {
                    code: name.code.to_owned(),
                    zh: name.zh.to_owned(),
                    en: name.en.to_owned(),
                })
                .collect()
        };
        NamesView {
            states: view(STATES),
            actions: view(ACTIONS),
            deadline_rules: view(DEADLINE_RULES),
            domains: view(DOMAINS),
            outcomes: view(OUTCOMES),
            attachments: view(ATTACHMENTS),
            actors: view(ACTORS),
            org_kinds: view(ORG_KINDS),
            flag_kinds: view(FLAG_KINDS),
            fact_kinds: view(FACT_KINDS),
            fact_units: view(FACT_UNITS),
            penalty_kinds: view(PENALTY_KINDS),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use xianjie_ledger::case::{AttachmentKind, CaseState, Outcome};
    use xianjie_ledger::model::OrgKind;
    use xianjie_ledger::supervision::{FactKind, FactUnit, FlagKind, PenaltyKind};

    fn codes(table: &[Name]) -> Vec<&'static str> {
        table.iter().map(|name| name.code).collect()
    }

    /// Each table names each code once, in both languages.
    #[test]
    fn every_table_names_each_code_once_in_both_languages() {
        let all = NamesView::all();
        let tables = [
            &all.states,
            &all.actions,
            &all.deadline_rules,
            &all.domains,
            &all.outcomes,
            &all.attachments,
            &all.actors,
            &all.org_kinds,
            &all.flag_kinds,
            &all.fact_kinds,
            &all.fact_units,
            &all.penalty_kinds,
        ];
        for table in tables {
            let mut seen: Vec<&str> = table.iter().map(|name| name.code.as_str()).collect();
            let count = seen.len();
            seen.sort_unstable();
            seen.dedup();
            assert_eq!(seen.len(), count, "a code named twice in {table:?}");
            for name in table {
                assert!(
                    !name.zh.trim().is_empty() && !name.en.trim().is_empty(),
                    "{name:?}"
                );
                assert!(
                    name.zh
                        .chars()
                        .any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
                    "{} has no Chinese name: {}",
                    name.code,
                    name.zh
                );
            }
        }
    }

    /// Every value of the ledger's enums has a name (a new variant without
    /// one fails here).
    #[test]
    fn every_ledger_enum_value_has_a_name() {
        let check = |table: &[Name], values: Vec<&'static str>| {
            let named = codes(table);
            for value in values {
                assert!(named.contains(&value), "{value} has no name");
            }
        };
        check(STATES, CaseState::ALL.iter().map(|v| v.name()).collect());
        check(OUTCOMES, Outcome::ALL.iter().map(|v| v.name()).collect());
        check(
            ATTACHMENTS,
            AttachmentKind::ALL.iter().map(|v| v.name()).collect(),
        );
        check(FLAG_KINDS, FlagKind::ALL.iter().map(|v| v.name()).collect());
        check(
            ORG_KINDS,
            OrgKind::NAMES.iter().map(|(_, name)| *name).collect(),
        );
        check(FACT_KINDS, FactKind::ALL.iter().map(|v| v.name()).collect());
        check(FACT_UNITS, FactUnit::ALL.iter().map(|v| v.name()).collect());
        check(
            PENALTY_KINDS,
            PenaltyKind::ALL.iter().map(|v| v.name()).collect(),
        );
        let params = xianjie_ledger::params::Params::default();
        check(
            DOMAINS,
            params.cases.domains.iter().map(|d| leak(d)).collect(),
        );
        let mut rules = Vec::new();
        let defaults = xianjie_ledger::deadline::appendix_a_rules();
        for rule in defaults.iter().chain(&params.deadlines) {
            rules.push(leak(&rule.id));
            rules.extend(rule.overrides.iter().map(|o| leak(&o.id)));
        }
        check(DEADLINE_RULES, rules);
    }

    fn leak(text: &str) -> &'static str {
        Box::leak(text.to_owned().into_boxed_str())
    }

    #[test]
    fn the_cli_form_shows_chinese_then_the_code() {
        assert_eq!(
            zh_with_code(STATES, "S8X_NOT_FILED"),
            "不予立案 (S8X_NOT_FILED)"
        );
        assert_eq!(zh_with_code(DOMAINS, "food_drug"), "食品药品 (food_drug)");
        assert_eq!(zh_with_code(STATES, "S99_UNKNOWN"), "S99_UNKNOWN");
    }
}
