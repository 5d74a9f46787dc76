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

    /// Whether this role has contracts to see: the bureau all, an NGO its own.
    pub fn sees_contracts(self) -> bool {
        self.is_bureau() || self == Role::NgoMember
    }

    /// Whether this role has evaluations to see: the bureau, the evaluated NGO, evaluators.
    pub fn sees_evaluations(self) -> bool {
        self.sees_contracts() || self == Role::Evaluator
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

// Declared after the macro, which they use.
mod delivery;
mod hubs;
mod procurement;
pub use delivery::*;
pub use hubs::*;
pub use procurement::*;
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
