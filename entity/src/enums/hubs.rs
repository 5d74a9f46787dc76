//! The incubation hubs' values: hub types, rounds, applications, memberships, services.
use super::IllegalTransition;
use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

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
