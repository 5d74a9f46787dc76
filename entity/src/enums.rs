//! Closed sets of values. Each is stored as a short string code; states carry their
//! transition function so every change of state goes through one place.
use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// A refused state change: from which state, to which, so the caller can say why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IllegalTransition {
    pub from: &'static str,
    pub to: &'static str,
}

macro_rules! code_enum {
    ($(#[$m:meta])* $name:ident { $($variant:ident = $code:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize)]
        #[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")]
        #[serde(rename_all = "snake_case")]
        pub enum $name {
            $(#[sea_orm(string_value = $code)] $variant,)+
        }
        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            /// The stable code stored in the database and used in URLs, CSV and the API.
            pub fn code(self) -> &'static str {
                match self { $($name::$variant => $code,)+ }
            }
            pub fn from_code(code: &str) -> Option<Self> {
                match code { $($code => Some($name::$variant),)+ _ => None }
            }
        }
    };
}

code_enum!(
    /// 社会组织类型
    OrgType { SocialGroup = "social_group", SocialServiceInstitution = "social_service_institution", Foundation = "foundation", Filing = "filing" }
);

code_enum!(
    /// Registry status of an organization.
    OrgStatus { Active = "active", Suspended = "suspended", Deregistered = "deregistered", Revoked = "revoked" }
);

impl OrgStatus {
    /// Deregistration and revocation are final; suspension can be lifted.
    pub fn transition(self, to: OrgStatus) -> Result<OrgStatus, IllegalTransition> {
        use OrgStatus::*;
        let ok = matches!(
            (self, to),
            (Active, Suspended)
                | (Suspended, Active)
                | (Active | Suspended, Deregistered)
                | (Active | Suspended, Revoked)
        );
        if ok { Ok(to) } else { Err(IllegalTransition { from: self.code(), to: to.code() }) }
    }
}

code_enum!(
    /// Platform roles. The anonymous public has no account and so no role.
    Role { Admin = "admin", Officer = "officer", HubManager = "hub_manager", Expert = "expert", Evaluator = "evaluator", NgoMember = "ngo_member" }
);

impl Role {
    /// The roles that act for the bureau (民政局): its officers and its administrators.
    pub const BUREAU: [Role; 2] = [Role::Officer, Role::Admin];

    /// Whether this role acts for the bureau.
    pub fn is_bureau(self) -> bool {
        Role::BUREAU.contains(&self)
    }
}

code_enum!(
    /// 年检/年报 result.
    AnnualResult { Passed = "passed", BasicallyPassed = "basically_passed", Failed = "failed" }
);

code_enum!(
    /// 活动异常名录 / 严重违法失信名单
    ListKind { AbnormalList = "abnormal_list", DishonestyList = "dishonesty_list" }
);

code_enum!(
    /// An NGO member's claim to speak for an organization.
    ClaimStatus { Pending = "pending", Approved = "approved", Rejected = "rejected" }
);

impl ClaimStatus {
    pub fn transition(self, to: ClaimStatus) -> Result<ClaimStatus, IllegalTransition> {
        match (self, to) {
            (ClaimStatus::Pending, ClaimStatus::Approved | ClaimStatus::Rejected) => Ok(to),
            _ => Err(IllegalTransition { from: self.code(), to: to.code() }),
        }
    }
}

code_enum!(
    OutboxStatus { Pending = "pending", Sent = "sent", Dead = "dead" }
);

impl OutboxStatus {
    pub fn transition(self, to: OutboxStatus) -> Result<OutboxStatus, IllegalTransition> {
        match (self, to) {
            (OutboxStatus::Pending, OutboxStatus::Sent | OutboxStatus::Dead) => Ok(to),
            // An admin may put a dead message back in the queue.
            (OutboxStatus::Dead, OutboxStatus::Pending) => Ok(to),
            _ => Err(IllegalTransition { from: self.code(), to: to.code() }),
        }
    }
}

code_enum!(
    /// A background import: its file checked row by row, then applied in short steps.
    JobStatus { Checking = "checking", Applying = "applying", Done = "done", Refused = "refused", Failed = "failed" }
);

impl JobStatus {
    pub fn transition(self, to: JobStatus) -> Result<JobStatus, IllegalTransition> {
        use JobStatus::*;
        match (self, to) {
            (Checking, Applying | Refused | Failed) | (Applying, Done | Failed) => Ok(to),
            _ => Err(IllegalTransition { from: self.code(), to: to.code() }),
        }
    }

    pub fn finished(self) -> bool {
        matches!(self, JobStatus::Done | JobStatus::Refused | JobStatus::Failed)
    }
}

code_enum!(
    TokenPurpose { VerifyEmail = "verify_email", ResetPassword = "reset_password" }
);

code_enum!(
    CommunityKind { Village = "village", Residents = "residents", Farm = "farm" }
);

code_enum!(
    /// Service categories (domain §6).
    ServiceCategory {
        Children = "children", Youth = "youth", WomenFamily = "women_family", Elderly = "elderly",
        Disability = "disability", Volunteer = "volunteer", SocialWork = "social_work",
        SocialAssistance = "social_assistance", CommunityLife = "community_life",
        CommunityCorrection = "community_correction", DrugPrevention = "drug_prevention",
        Mediation = "mediation", CultureSports = "culture_sports", DisasterRelief = "disaster_relief",
        CapacityBuilding = "capacity_building", ThirdPartyEvaluation = "third_party_evaluation",
    }
);

code_enum!(
    /// 孵化基地类型: the hub-type service centre, a community neighbourhood centre, or other.
    HubType { ServiceCentre = "service_centre", NeighbourhoodCentre = "neighbourhood_centre", Other = "other" }
);

code_enum!(
    /// Whether members get a desk or room on site, or support only.
    IncubationMode { Physical = "physical", Virtual = "virtual" }
);

code_enum!(
    /// What a physical hub hands out: desks or rooms.
    SpaceUnit { Desk = "desk", Room = "room" }
);

code_enum!(
    /// An admission round (a cohort): open for applications, in review, closed.
    RoundStatus { Open = "open", Reviewing = "reviewing", Closed = "closed" }
);

impl RoundStatus {
    /// A closed round is final; review follows the application period.
    pub fn transition(self, to: RoundStatus) -> Result<RoundStatus, IllegalTransition> {
        use RoundStatus::*;
        match (self, to) {
            (Open, Reviewing) | (Open | Reviewing, Closed) => Ok(to),
            _ => Err(IllegalTransition { from: self.code(), to: to.code() }),
        }
    }
    /// Decisions on applications are taken while the round is open or in review.
    pub fn takes_decisions(self) -> bool {
        self != RoundStatus::Closed
    }
}

code_enum!(
    /// An application to a hub round.
    ApplicationStatus { Submitted = "submitted", Waitlisted = "waitlisted", Accepted = "accepted", Rejected = "rejected", Withdrawn = "withdrawn" }
);

impl ApplicationStatus {
    /// A waitlisted application can still be accepted or rejected; the other decisions are final.
    pub fn transition(self, to: ApplicationStatus) -> Result<ApplicationStatus, IllegalTransition> {
        use ApplicationStatus::*;
        match (self, to) {
            (Submitted, Waitlisted | Accepted | Rejected | Withdrawn)
            | (Waitlisted, Accepted | Rejected | Withdrawn) => Ok(to),
            _ => Err(IllegalTransition { from: self.code(), to: to.code() }),
        }
    }
    /// Still in play: counts as the organization's one open application in a round.
    pub fn is_open(self) -> bool {
        matches!(self, ApplicationStatus::Submitted | ApplicationStatus::Waitlisted | ApplicationStatus::Accepted)
    }
}

code_enum!(
    /// Where a hub member stands: in incubation (孵化期), extended, graduated (出壳) or exited.
    MembershipStage { Incubating = "incubating", Extended = "extended", Graduated = "graduated", Exited = "exited" }
);

impl MembershipStage {
    /// Graduation and exit are final; an extension may be extended again.
    pub fn transition(self, to: MembershipStage) -> Result<MembershipStage, IllegalTransition> {
        use MembershipStage::*;
        match (self, to) {
            (Incubating | Extended, Extended | Graduated | Exited) => Ok(to),
            _ => Err(IllegalTransition { from: self.code(), to: to.code() }),
        }
    }
    /// Occupies a place in the hub.
    pub fn is_current(self) -> bool {
        matches!(self, MembershipStage::Incubating | MembershipStage::Extended)
    }
}

code_enum!(
    /// A service the hub gives a member.
    HubServiceKind {
        Space = "space", Training = "training", Mentoring = "mentoring",
        RegistrationHelp = "registration_help", FunderIntroduction = "funder_introduction",
    }
);

code_enum!(
    /// The outcome of a graduation assessment.
    AssessmentOutcome { Graduated = "graduated", Extended = "extended", Exited = "exited" }
);

impl AssessmentOutcome {
    pub fn stage(self) -> MembershipStage {
        match self {
            AssessmentOutcome::Graduated => MembershipStage::Graduated,
            AssessmentOutcome::Extended => MembershipStage::Extended,
            AssessmentOutcome::Exited => MembershipStage::Exited,
        }
    }
}

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
            _ => Err(IllegalTransition { from: self.code(), to: to.code() }),
        }
    }
}

code_enum!(
    /// What a stored contract document is.
    DocumentKind { Contract = "contract", Amendment = "amendment", Countersigned = "countersigned", EvaluationReport = "evaluation_report" }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deregistered_is_final() {
        assert!(OrgStatus::Deregistered.transition(OrgStatus::Active).is_err());
        assert_eq!(OrgStatus::Active.transition(OrgStatus::Suspended), Ok(OrgStatus::Suspended));
        assert!(OrgStatus::Active.transition(OrgStatus::Active).is_err());
    }

    #[test]
    fn a_withdrawn_bid_is_not_withdrawn_again() {
        assert_eq!(BidStatus::Submitted.transition(BidStatus::Withdrawn), Ok(BidStatus::Withdrawn));
        assert_eq!(BidStatus::Withdrawn.transition(BidStatus::Submitted), Ok(BidStatus::Submitted));
        assert_eq!(BidStatus::Submitted.transition(BidStatus::Submitted), Ok(BidStatus::Submitted));
        assert!(BidStatus::Withdrawn.transition(BidStatus::Withdrawn).is_err());
    }

    #[test]
    fn codes_round_trip() {
        for c in ServiceCategory::ALL {
            assert_eq!(ServiceCategory::from_code(c.code()), Some(*c));
        }
        assert_eq!(Role::from_code("nobody"), None);
    }

    #[test]
    fn milestone_and_instalment_states() {
        use MilestoneStatus as M;
        assert_eq!(M::Returned.transition(M::Submitted), Ok(M::Submitted));
        assert!(M::Accepted.transition(M::Accepted).is_err(), "a report is accepted once");
        assert!(M::Scheduled.transition(M::Accepted).is_err());
        assert!(InstalmentStatus::Pending.transition(InstalmentStatus::Paid).is_err());
        assert!(ContractStatus::Active.transition(ContractStatus::Draft).is_err(), "a signed contract is not reopened");
    }

    #[test]
    fn hub_states() {
        assert!(RoundStatus::Closed.transition(RoundStatus::Open).is_err());
        assert!(RoundStatus::Reviewing.transition(RoundStatus::Open).is_err());
        assert!(ApplicationStatus::Accepted.transition(ApplicationStatus::Rejected).is_err());
        assert_eq!(
            ApplicationStatus::Waitlisted.transition(ApplicationStatus::Accepted),
            Ok(ApplicationStatus::Accepted)
        );
        assert!(MembershipStage::Graduated.transition(MembershipStage::Extended).is_err());
        assert_eq!(MembershipStage::Extended.transition(MembershipStage::Extended), Ok(MembershipStage::Extended));
        assert!(!MembershipStage::Exited.is_current());
    }
}
