//! Keys, and signing with them. Private key material never leaves the core.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use tauri::State;
use vaultmort_core::keys::{CreateKey, KeyRef};
use vaultmort_crypto::{Curve, SignatureAlgorithm};

use super::owner;
use crate::dto::{CreateKeyInput, KeyItem};
use crate::error::CommandError;
use crate::state::AppState;

/// Lists the keys of `vault` (newest version of each).
#[tauri::command]
#[specta::specta]
pub async fn list_keys(state: State<'_, AppState>, vault: String) -> Result<Vec<KeyItem>, CommandError> {
    Ok(state.core()?.list_keys(&owner(), &vault).await?.into_iter().map(KeyItem::from).collect())
}

/// Creates a software key (or a new version of one) with the type's default operations.
#[tauri::command]
#[specta::specta]
pub async fn create_key(state: State<'_, AppState>, vault: String, input: CreateKeyInput) -> Result<KeyItem, CommandError> {
    let curve = input.curve.as_deref().map(str::parse::<Curve>).transpose()?;
    let request = CreateKey { size: input.size, curve, ..CreateKey::new(input.name, input.kty.into()) };
    Ok(state.core()?.create_key(&owner(), &vault, request).await?.into())
}

/// Signs a digest (base64) with the newest version of key `name`; returns the signature (base64).
/// `algorithm` is Key Vault's name: RS256, PS256, ES256, ...
#[tauri::command]
#[specta::specta]
pub async fn sign_digest(
    state: State<'_, AppState>,
    vault: String,
    name: String,
    algorithm: String,
    digest: String,
) -> Result<String, CommandError> {
    let algorithm: SignatureAlgorithm = algorithm.parse()?;
    let digest = base64_field("digest", &digest)?;
    let signed = state.core()?.sign(&owner(), KeyRef::latest(&vault, &name), algorithm, &digest).await?;
    Ok(STANDARD.encode(signed.value.as_slice()))
}

/// Checks a signature (base64) over a digest (base64) with the newest version of key `name`:
/// `true` when it matches.
#[tauri::command]
#[specta::specta]
pub async fn verify_digest(
    state: State<'_, AppState>,
    vault: String,
    name: String,
    algorithm: String,
    digest: String,
    signature: String,
) -> Result<bool, CommandError> {
    let algorithm: SignatureAlgorithm = algorithm.parse()?;
    let digest = base64_field("digest", &digest)?;
    let signature = base64_field("signature", &signature)?;
    Ok(state.core()?.verify(&owner(), KeyRef::latest(&vault, &name), algorithm, &digest, &signature).await?.valid)
}

/// Decodes standard base64 (with padding), naming the field when it is not.
fn base64_field(field: &str, text: &str) -> Result<Vec<u8>, CommandError> {
    STANDARD.decode(text.trim()).map_err(|error| CommandError::bad_parameter(format!("the {field} is not valid base64: {error}")))
}
