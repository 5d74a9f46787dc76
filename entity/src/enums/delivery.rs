//! Contracts and their evaluations: statuses of contracts, milestones, instalments,
//! evaluations and evaluators, and their kinds.
use super::IllegalTransition;
use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

code_enum!(
    /// A contract: drafted by the award, approved by the officer, sent to the provider,
    /// signed and active, then completed or terminated.
    ContractStatus {
        Draft = "draft", Approved = "approved", Sent = "sent", Active = "active",
        Completed = "completed", Terminated = "terminated",
    }
);

impl ContractStatus {
    pub fn transition(self, to: ContractStatus) -> Result<ContractStatus, IllegalTransition> {
        use ContractStatus::*;
        match (self, to) {
            (Draft, Approved) | (Approved, Draft | Sent) | (Sent, Active) | (Active, Completed | Terminated) => Ok(to),
            // The payment that completed it reversed: in force again.
            (Completed, Active) => Ok(to),
            _ => Err(IllegalTransition { from: self.code(), to: to.code() }),
        }
    }
}

code_enum!(
    /// A milestone is scheduled, its report submitted, then accepted or returned for changes.
    MilestoneStatus { Scheduled = "scheduled", Submitted = "submitted", Accepted = "accepted", Returned = "returned" }
);

impl MilestoneStatus {
    pub fn transition(self, to: MilestoneStatus) -> Result<MilestoneStatus, IllegalTransition> {
        use MilestoneStatus::*;
        match (self, to) {
            (Scheduled | Returned, Submitted) | (Submitted, Accepted | Returned) => Ok(to),
            _ => Err(IllegalTransition { from: self.code(), to: to.code() }),
        }
    }
}

code_enum!(
    /// An officer's decision on a milestone report.
    ReportDecision { Accepted = "accepted", Returned = "returned" }
);

code_enum!(
    /// An instalment waits for its condition, is then payable, and is paid when payments
    /// reach its amount.
    InstalmentStatus { Pending = "pending", Payable = "payable", Paid = "paid", Withheld = "withheld" }
);

impl InstalmentStatus {
    pub fn transition(self, to: InstalmentStatus) -> Result<InstalmentStatus, IllegalTransition> {
        use InstalmentStatus::*;
        match (self, to) {
            // 不合格 withholds an instalment tied to an evaluation for good.
            (Pending, Payable) | (Payable, Paid) | (Pending, Withheld) => Ok(to),
            // A payment reversed: what it paid is payable again.
            (Paid, Payable) => Ok(to),
            _ => Err(IllegalTransition { from: self.code(), to: to.code() }),
        }
    }
}

code_enum!(
    /// What a stored contract document is.
    DocumentKind {
        Contract = "contract", Amendment = "amendment", Countersigned = "countersigned",
        EvaluationReport = "evaluation_report", BureauReport = "bureau_report",
    }
);

code_enum!(
    /// 中期/末期评估
    EvaluationKind { Midterm = "midterm", Final = "final" }
);

code_enum!(
    /// An evaluation waits for the provider's self-evaluation, is scored, then released.
    EvaluationStatus { Scheduled = "scheduled", Scoring = "scoring", Released = "released" }
);

impl EvaluationStatus {
    /// Released is final: nothing is re-scored after the result is out.
    pub fn transition(self, to: EvaluationStatus) -> Result<EvaluationStatus, IllegalTransition> {
        use EvaluationStatus::*;
        match (self, to) {
            (Scheduled, Scoring) | (Scoring, Released) => Ok(to),
            _ => Err(IllegalTransition { from: self.code(), to: to.code() }),
        }
    }
}

code_enum!(
    /// An evaluator declares first: cleared to score, or conflicted (回避) and kept out.
    EvaluatorStatus { Assigned = "assigned", Cleared = "cleared", Conflicted = "conflicted" }
);

impl EvaluatorStatus {
    pub fn transition(self, to: EvaluatorStatus) -> Result<EvaluatorStatus, IllegalTransition> {
        use EvaluatorStatus::*;
        match (self, to) {
            (Assigned, Cleared | Conflicted) => Ok(to),
            _ => Err(IllegalTransition { from: self.code(), to: to.code() }),
        }
    }
}

code_enum!(
    /// Bureau staff or a third-party agency (第三方评估).
    Affiliation { Bureau = "bureau", ThirdParty = "third_party" }
);

code_enum!(
    /// 评估等次: 优秀, 良好, 合格, 不合格 (bands are configuration).
    EvaluationGrade { Excellent = "excellent", Good = "good", Pass = "pass", Fail = "fail" }
);

impl EvaluationGrade {
    pub fn passed(self) -> bool {
        self != EvaluationGrade::Fail
    }
    /// 优秀 and 良好 earn preference in later calls.
    pub fn preferred(self) -> bool {
        matches!(self, EvaluationGrade::Excellent | EvaluationGrade::Good)
    }
}

code_enum!(
    /// Where an indicator's score suggestion comes from: nothing, a contract output's
    /// achievement (achieved / planned), or the beneficiary satisfaction survey.
    IndicatorLink { None = "none", Output = "output", Satisfaction = "satisfaction" }
);
