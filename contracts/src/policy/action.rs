//! The actions the policies decide, as the Cedar schema names them.
//!
//! Each call the contracts gate has its variant; the case transitions are
//! rows of the transition table (`crate::case`), each naming its action.
//! `action_names_are_the_schemas` (in this module's tests) checks both
//! against `policies/schema.cedarschema`: a name the schema lacks, or a
//! schema action nothing requests, fails it.

/// An action a policy decision is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Action {
    /// Reading a case, an evidence record or an inspection result.
    Read,
    /// Opening a case.
    OpenCase,
    /// A transition of the case table, by the action its row names.
    Case(&'static str),
    /// Anchoring evidence.
    AnchorEvidence,
    /// Recording a custody event.
    RecordCustody,
    /// Linking re-collected evidence to the record it replaces.
    LinkRecollected,
    /// Recording a laboratory's accreditation.
    Accredit,
    /// Recording an inspection result.
    RecordInspection,
    /// Recognising another organisation's inspection result.
    RecognizeInspection,
    /// Disputing an inspection result.
    DisputeInspection,
    /// Applying for a re-test.
    RequestRetest,
    /// Recording a re-test's result.
    RecordRetest,
    /// Reading the supervision statistics of a scope.
    ReadStats,
    /// Publishing a bulletin (通报) of a scope's statistics.
    PublishBulletin,
    /// Recording a court chain's deposit number for an evidence file.
    RecordDeposit,
    /// Sending a clue.
    SendClue,
    /// Accepting a clue.
    AcceptClue,
    /// Declining a clue as not actionable.
    DeclineClue,
    /// Forwarding a clue to the competent organ.
    ForwardClue,
    /// Converting a clue into a case or a filing.
    ConvertClue,
    /// Asking another organ (consultation or assistance).
    AskOrgan,
    /// Answering another organ's request.
    AnswerOrgan,
}

impl Action {
    /// Every action but the case table's, whose names come from its rows.
    pub const FIXED: [Action; 21] = [
        Action::Read,
        Action::OpenCase,
        Action::AnchorEvidence,
        Action::RecordCustody,
        Action::LinkRecollected,
        Action::Accredit,
        Action::RecordInspection,
        Action::RecognizeInspection,
        Action::DisputeInspection,
        Action::RequestRetest,
        Action::RecordRetest,
        Action::ReadStats,
        Action::PublishBulletin,
        Action::RecordDeposit,
        Action::SendClue,
        Action::AcceptClue,
        Action::DeclineClue,
        Action::ForwardClue,
        Action::ConvertClue,
        Action::AskOrgan,
        Action::AnswerOrgan,
    ];

    /// The action's name in the schema.
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Read => "read",
            Action::OpenCase => "open-case",
            Action::Case(name) => name,
            Action::AnchorEvidence => "anchor-evidence",
            Action::RecordCustody => "record-custody",
            Action::LinkRecollected => "link-recollected",
            Action::Accredit => "accredit",
            Action::RecordInspection => "record-inspection",
            Action::RecognizeInspection => "recognize-inspection",
            Action::DisputeInspection => "dispute-inspection",
            Action::RequestRetest => "request-retest",
            Action::RecordRetest => "record-retest",
            Action::ReadStats => "read-stats",
            Action::PublishBulletin => "publish-bulletin",
            Action::RecordDeposit => "record-deposit",
            Action::SendClue => "send-clue",
            Action::AcceptClue => "accept-clue",
            Action::DeclineClue => "decline-clue",
            Action::ForwardClue => "forward-clue",
            Action::ConvertClue => "convert-clue",
            Action::AskOrgan => "ask-organ",
            Action::AnswerOrgan => "answer-organ",
        }
    }
}
