//! Resource group views (`commands::groups`).

use serde::Serialize;
use specta::Type;
use vaultmort_core::model::ResourceGroup;

/// A resource group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct GroupView {
    /// Its name.
    pub name: String,
    /// Its location, lower case (`westeurope`).
    pub location: String,
}

impl From<ResourceGroup> for GroupView {
    fn from(group: ResourceGroup) -> Self {
        Self { name: group.name, location: group.location }
    }
}
