//! Procurement's values: calls, bids, methods, panels.
use super::IllegalTransition;
use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

code_enum!(
    /// A call for proposals (采购公告). Evaluation and award states arrive with the panel.
    CallStatus { Draft = "draft", Published = "published", Opened = "opened", Failed = "failed", Cancelled = "cancelled", Awarded = "awarded" }
);

impl CallStatus {
    /// A draft is published or dropped; a published call is opened at its deadline (or
    /// fails for want of bids), or is cancelled with a reason; an opened call is evaluated
    /// and awarded, or fails when no bid stands.
    pub fn transition(self, to: CallStatus) -> Result<CallStatus, IllegalTransition> {
        use CallStatus::*;
        match (self, to) {
            (Draft, Published)
            | (Draft | Published, Cancelled)
            | (Published, Opened | Failed)
            | (Opened, Awarded | Failed) => Ok(to),
            _ => Err(IllegalTransition { from: self.code(), to: to.code() }),
        }
    }
}

code_enum!(
    /// A bid (响应文件): submitted (its latest version counts) or withdrawn.
    BidStatus { Submitted = "submitted", Withdrawn = "withdrawn" }
);

impl BidStatus {
    /// A submitted bid is revised (a new version, still submitted) or withdrawn; a
    /// withdrawn bid may be submitted again while the call takes bids.
    pub fn transition(self, to: BidStatus) -> Result<BidStatus, IllegalTransition> {
        use BidStatus::*;
        match (self, to) {
            (Submitted, Submitted | Withdrawn) | (Withdrawn, Submitted) => Ok(to),
            _ => Err(IllegalTransition { from: self.code(), to: to.code() }),
        }
    }
}

code_enum!(
    /// 专项服务项目 / 综合服务项目
    PurchaseType { SpecificProject = "specific_project", ComprehensiveProject = "comprehensive_project" }
);

code_enum!(
    /// 采购方式
    ProcurementMethod { CompetitiveConsultation = "competitive_consultation", OpenTender = "open_tender", Other = "other" }
);

code_enum!(
    /// What a call asks of hub membership.
    HubRule { None = "none", Preferred = "preferred", MemberRequired = "member_required", GraduateRequired = "graduate_required" }
);

code_enum!(
    /// When an instalment falls due.
    PaymentCondition {
        Signing = "signing", MilestoneAccepted = "milestone_accepted",
        MidtermPassed = "midterm_passed", FinalPassed = "final_passed",
    }
);

code_enum!(
    /// A panel seat: an expert from the pool, or a representative of the purchaser (采购人代表).
    PanelSeat { Expert = "expert", PurchaserRep = "purchaser_rep" }
);

code_enum!(
    /// A panel member is drawn, then seated by declaring no conflict, or recused (回避).
    PanelMemberStatus { Drawn = "drawn", Seated = "seated", Recused = "recused" }
);

impl PanelMemberStatus {
    pub fn transition(self, to: PanelMemberStatus) -> Result<PanelMemberStatus, IllegalTransition> {
        use PanelMemberStatus::*;
        match (self, to) {
            (Drawn, Seated | Recused) => Ok(to),
            _ => Err(IllegalTransition { from: self.code(), to: to.code() }),
        }
    }
}

code_enum!(
    /// A tie between a panel member and a bidder: none, employment or a board seat in the
    /// last three years, close kin, or another interest.
    ConflictKind { None = "none", Employment = "employment", Board = "board", Kin = "kin", Other = "other" }
);
