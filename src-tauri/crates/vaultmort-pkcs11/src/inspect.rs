//! What `vaultmort hsm show` and the desktop's HSM page report about a token.

use cryptoki::object::{Attribute, AttributeType, ObjectClass};
use serde::Serialize;
use vaultmort_crypto::CryptoError;

use crate::hsm_error;
use crate::module::Token;
use crate::provider::{BACKUP_KEY_LABEL, KEY_LABEL_PREFIX};

/// One object in the token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TokenObject {
    /// `CKA_LABEL`.
    pub label: String,
    /// `CKA_ID`, hex.
    pub id: String,
    /// Object class (`private key`, `secret key`).
    pub class: String,
    /// Key type (`RSA`, `EC`, `AES`).
    pub key_type: String,
    /// `CKA_SENSITIVE`.
    pub sensitive: bool,
    /// `CKA_EXTRACTABLE`.
    pub extractable: bool,
    /// What it is for Vaultmort (`vault key`, `backup key`, or `other`).
    pub role: String,
}

/// A token's description.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TokenReport {
    /// The module's path.
    pub module: String,
    /// The module's own description and version.
    pub library: String,
    /// Token label.
    pub label: String,
    /// Serial number.
    pub serial: String,
    /// Manufacturer and model.
    pub model: String,
    /// Slot id.
    pub slot: u64,
    /// The user PIN's state (`ok`, `count low`, `final try`, `locked`).
    pub pin_state: String,
    /// Mechanism names the token offers.
    pub mechanisms: Vec<String>,
    /// Key objects in the token.
    pub objects: Vec<TokenObject>,
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).trim_end().to_string()
}

/// Describes the token.
pub fn describe(token: &Token) -> Result<TokenReport, CryptoError> {
    let context = token.context();
    let library = context.get_library_info().map_err(|e| hsm_error("C_GetInfo", e))?;
    let info = context.get_token_info(token.slot()).map_err(|e| hsm_error("C_GetTokenInfo", e))?;
    let pin_state = if info.user_pin_locked() {
        "locked"
    } else if info.user_pin_final_try() {
        "final try"
    } else if info.user_pin_count_low() {
        "count low"
    } else {
        "ok"
    };
    let mut mechanisms: Vec<String> =
        context.get_mechanism_list(token.slot()).map_err(|e| hsm_error("C_GetMechanismList", e))?.iter().map(|m| m.to_string()).collect();
    mechanisms.sort();
    let identity = token.identity();
    let objects = token.with_session(|session| {
        let mut objects = Vec::new();
        for class in [ObjectClass::PRIVATE_KEY, ObjectClass::SECRET_KEY] {
            for object in session.find_objects(&[Attribute::Class(class)]).map_err(|e| hsm_error("C_FindObjects", e))? {
                let attributes = session
                    .get_attributes(
                        object,
                        &[
                            AttributeType::Label,
                            AttributeType::Id,
                            AttributeType::KeyType,
                            AttributeType::Sensitive,
                            AttributeType::Extractable,
                        ],
                    )
                    .map_err(|e| hsm_error("C_GetAttributeValue", e))?;
                let mut entry = TokenObject {
                    label: String::new(),
                    id: String::new(),
                    class: if class == ObjectClass::PRIVATE_KEY { "private key".into() } else { "secret key".into() },
                    key_type: String::new(),
                    sensitive: false,
                    extractable: false,
                    role: "other".into(),
                };
                for attribute in attributes {
                    match attribute {
                        Attribute::Label(value) => entry.label = text(&value),
                        Attribute::Id(value) => entry.id = hex::encode(value),
                        Attribute::KeyType(value) => entry.key_type = value.to_string().trim_start_matches("CKK_").to_string(),
                        Attribute::Sensitive(value) => entry.sensitive = value,
                        Attribute::Extractable(value) => entry.extractable = value,
                        _ => {}
                    }
                }
                if entry.label == BACKUP_KEY_LABEL {
                    entry.role = "backup key".into();
                } else if entry.label.starts_with(KEY_LABEL_PREFIX) {
                    entry.role = "vault key".into();
                }
                objects.push(entry);
            }
        }
        objects.sort_by(|a, b| a.label.cmp(&b.label));
        Ok(objects)
    })?;
    Ok(TokenReport {
        module: token.module().display().to_string(),
        library: format!(
            "{} {}.{}",
            library.library_description().trim_end(),
            library.library_version().major(),
            library.library_version().minor()
        ),
        label: identity.label.clone(),
        serial: identity.serial.clone(),
        model: format!("{} {}", identity.manufacturer, identity.model),
        slot: identity.slot,
        pin_state: pin_state.into(),
        mechanisms,
        objects,
    })
}
