//! Who is looking, as one type for every area: the bureau, a member of the organization
//! concerned, an evaluator seated on the thing, or the public. Each area decides a reader's
//! standing once, in its `load` (an organization: [`Viewer::of_organization`]; a contract:
//! `contracts::access::load`; an evaluation: `evaluations::access::load`), and its view turns
//! the standing into the flags pages, API and templates use (`bureau`, `can_sign`, …).
use entity::enums::Role;
use entity::user;

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Viewer {
    /// Officers and administrators.
    Bureau,
    /// A member of the organization concerned: its own record, its contracts, its evaluations.
    Member,
    /// An evaluator seated on the evaluation being looked at.
    Evaluator,
    /// Anyone else, signed in or not.
    Public,
}

impl Viewer {
    /// Where no organization is concerned (a list, an export): the bureau, or the public.
    pub fn of_anyone(u: Option<&user::Model>) -> Viewer {
        match u {
            Some(u) if u.role.is_bureau() => Viewer::Bureau,
            _ => Viewer::Public,
        }
    }

    /// How `u` stands to organization `org_id`.
    pub fn of_organization(u: Option<&user::Model>, org_id: i32) -> Viewer {
        match u {
            Some(u) if u.role.is_bureau() => Viewer::Bureau,
            Some(u) if is_member_of(u, org_id) => Viewer::Member,
            _ => Viewer::Public,
        }
    }

    pub fn is_bureau(self) -> bool {
        self == Viewer::Bureau
    }
}

/// An NGO account linked to `org_id`.
pub fn is_member_of(u: &user::Model, org_id: i32) -> bool {
    u.role == Role::NgoMember && u.organization_id == Some(org_id)
}
