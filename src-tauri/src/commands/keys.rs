//! Keys, and signing with them. Private key material never leaves the core.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use tauri::State;
use vaultmort_core::keys::{CreateKey, KeyRef, UpdateKey};
use vaultmort_crypto::{Curve, EncryptionAlgorithm, KeyOperation, SignatureAlgorithm};

use crate::dto::KeyCatalogView;
use crate::dto::{AttributesInput, CreateKeyInput, CryptoOperation, KeyDetails, KeyItem, SavedFile, parse_time};
use crate::error::CommandError;
use crate::files::{Sensitivity, save};
use crate::state::AppState;

/// The key catalog: key types with their sizes or curves, operations and algorithms (with the
/// digest each signs), and the key types, sizes and curves of certificate policies. The key and
/// certificate forms offer exactly these.
#[tauri::command]
#[specta::specta]
pub async fn key_catalog(state: State<'_, AppState>) -> Result<KeyCatalogView, CommandError> {
    Ok(KeyCatalogView::from(&state.core()?.key_catalog()))
}

/// Lists the keys of `vault` (newest version of each).
#[tauri::command]
#[specta::specta]
pub async fn list_keys(state: State<'_, AppState>, vault: String) -> Result<Vec<KeyItem>, CommandError> {
    Ok(state.core()?.list_keys(&state.caller(), &vault).await?.into_iter().map(KeyItem::from).collect())
}

/// Creates a software key (or a new version of one) with the type's default operations.
#[tauri::command]
#[specta::specta]
pub async fn create_key(state: State<'_, AppState>, vault: String, input: CreateKeyInput) -> Result<KeyItem, CommandError> {
    let curve = input.curve.as_deref().map(str::parse::<Curve>).transpose()?;
    let key_ops =
        input.key_ops.as_ref().map(|ops| ops.iter().map(|op| op.parse::<KeyOperation>()).collect::<Result<Vec<_>, _>>()).transpose()?;
    let request = CreateKey {
        size: input.size,
        curve,
        key_ops,
        enabled: input.enabled.unwrap_or(true),
        not_before: parse_time("activation date", input.not_before.as_deref())?,
        expires: parse_time("expiry", input.expires.as_deref())?,
        tags: input.tags.unwrap_or_default(),
        ..CreateKey::new(input.name, input.kty.into())
    };
    Ok(state.core()?.create_key(&state.caller(), &vault, request).await?.into())
}

/// Lists every version of key `name`, newest first.
#[tauri::command]
#[specta::specta]
pub async fn list_key_versions(state: State<'_, AppState>, vault: String, name: String) -> Result<Vec<KeyItem>, CommandError> {
    let mut versions = state.core()?.list_key_versions(&state.caller(), &vault, &name).await?;
    versions.sort_by_key(|v| std::cmp::Reverse(v.attributes.created));
    Ok(versions.into_iter().map(KeyItem::from).collect())
}

/// One version of key `name` (the newest when `version` is null), with its public JWK.
#[tauri::command]
#[specta::specta]
pub async fn get_key(state: State<'_, AppState>, vault: String, name: String, version: Option<String>) -> Result<KeyDetails, CommandError> {
    KeyDetails::of(state.core()?.get_key(&state.caller(), &vault, &name, version.as_deref()).await?)
}

/// Sets a key version's enabled flag, activation date and expiry.
#[tauri::command]
#[specta::specta]
pub async fn update_key(
    state: State<'_, AppState>,
    vault: String,
    name: String,
    version: String,
    attributes: AttributesInput,
) -> Result<KeyDetails, CommandError> {
    let update = UpdateKey { attributes: attributes.changes()?, key_ops: None };
    KeyDetails::of(state.core()?.update_key(&state.caller(), &vault, &name, Some(&version), update).await?)
}

/// Rotates key `name`: a new version with the same type, size or curve and operations.
#[tauri::command]
#[specta::specta]
pub async fn rotate_key(state: State<'_, AppState>, vault: String, name: String) -> Result<KeyItem, CommandError> {
    Ok(state.core()?.rotate_key(&state.caller(), &vault, &name).await?.into())
}

/// Writes the public key of a version (the newest when `version` is null) to `path` as a PEM
/// `PUBLIC KEY` (SubjectPublicKeyInfo), the form `az keyvault key download` writes.
#[tauri::command]
#[specta::specta]
pub async fn save_public_key(
    state: State<'_, AppState>,
    vault: String,
    name: String,
    version: Option<String>,
    path: String,
) -> Result<SavedFile, CommandError> {
    let key = state.core()?.get_key(&state.caller(), &vault, &name, version.as_deref()).await?;
    let pem = key.public.to_spki_pem()?;
    save(&path, pem.as_bytes(), Sensitivity::Public)
}

/// Runs encrypt, decrypt, wrapKey or unwrapKey with a key version (the newest when `version` is
/// null) on base64 input; returns base64 output. Decrypt and unwrap use the private key inside
/// the core; only their result comes back.
#[tauri::command]
#[specta::specta]
pub async fn crypto_operation(
    state: State<'_, AppState>,
    vault: String,
    name: String,
    version: Option<String>,
    operation: CryptoOperation,
    algorithm: String,
    input: String,
) -> Result<String, CommandError> {
    let algorithm: EncryptionAlgorithm = algorithm.parse()?;
    let input = base64_field("input", &input)?;
    let core = state.core()?;
    let key = KeyRef::version(&vault, &name, version.as_deref());
    let ctx = state.caller();
    let result = match operation {
        CryptoOperation::Encrypt => core.encrypt(&ctx, key, algorithm, &input).await?,
        CryptoOperation::Decrypt => core.decrypt(&ctx, key, algorithm, &input).await?,
        CryptoOperation::WrapKey => core.wrap_key(&ctx, key, algorithm, &input).await?,
        CryptoOperation::UnwrapKey => core.unwrap_key(&ctx, key, algorithm, &input).await?,
    };
    Ok(STANDARD.encode(result.value.as_slice()))
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
    let signed = state.core()?.sign(&state.caller(), KeyRef::latest(&vault, &name), algorithm, &digest).await?;
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
    Ok(state.core()?.verify(&state.caller(), KeyRef::latest(&vault, &name), algorithm, &digest, &signature).await?.valid)
}

/// Decodes standard base64 (with padding), naming the field when it is not.
fn base64_field(field: &str, text: &str) -> Result<Vec<u8>, CommandError> {
    STANDARD.decode(text.trim()).map_err(|error| CommandError::bad_parameter(format!("the {field} is not valid base64: {error}")))
}
