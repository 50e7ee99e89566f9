//! Who is calling, from where, through which door: the request context every core operation
//! takes. The time is not part of it; the pipeline reads it from the [`crate::Clock`] once per
//! request so that every rule in one request sees the same instant.

use std::net::{IpAddr, Ipv4Addr};

use serde::{Deserialize, Serialize};

/// The object id of the practice tenant's owner, the principal every door uses by default.
pub const LOCAL_OWNER_ID: &str = "00000000-0000-0000-0000-00000000a11c";

/// What kind of principal a caller is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum PrincipalKind {
    /// A person.
    User,
    /// An application's service principal.
    ServicePrincipal,
    /// A managed identity.
    ManagedIdentity,
}

/// An authenticated caller.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Principal {
    /// The directory object id.
    pub object_id: String,
    /// A display name (UPN for users, app name for applications).
    pub name: String,
    /// What kind of principal.
    pub kind: PrincipalKind,
}

impl Principal {
    /// The installation's owner: the person at the keyboard.
    pub fn local_owner() -> Self {
        Self { object_id: LOCAL_OWNER_ID.to_string(), name: "owner@vaultmort.local".to_string(), kind: PrincipalKind::User }
    }

    /// Whether this is the installation's owner.
    pub fn is_local_owner(&self) -> bool {
        self.object_id == LOCAL_OWNER_ID
    }
}

impl PrincipalKind {
    /// The caller type the access log records.
    pub fn as_str(self) -> &'static str {
        match self {
            PrincipalKind::User => "user",
            PrincipalKind::ServicePrincipal => "servicePrincipal",
            PrincipalKind::ManagedIdentity => "managedIdentity",
        }
    }
}

/// The door a request came through.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Door {
    /// The `vaultmort` command line.
    Cli,
    /// The desktop app.
    Desktop,
    /// The REST API.
    Rest,
    /// Work the installation does by itself (retention purges, renewals).
    System,
}

impl Door {
    /// The door's name in the access log.
    pub fn as_str(self) -> &'static str {
        match self {
            Door::Cli => "cli",
            Door::Desktop => "desktop",
            Door::Rest => "rest",
            Door::System => "system",
        }
    }
}

/// The caller of one request.
#[derive(Debug, Clone)]
pub struct RequestContext {
    /// Who is calling.
    pub principal: Principal,
    /// The client address the firewall and the access log see.
    pub source: IpAddr,
    /// Which door.
    pub door: Door,
}

impl RequestContext {
    /// Whether the pipeline's authenticate stage must find the principal in the directory before
    /// anything else: a REST caller holds a token, which outlives a principal deleted after it
    /// was issued. The CLI and the desktop sign in from the directory in the same process, and
    /// the system acts for itself.
    pub fn must_be_in_directory(&self) -> bool {
        self.door == Door::Rest
    }

    /// The local owner on loopback through `door`.
    pub fn local_owner(door: Door) -> Self {
        Self { principal: Principal::local_owner(), source: IpAddr::V4(Ipv4Addr::LOCALHOST), door }
    }
}
