//! Keys, and signing with them. Private key material never leaves the core.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use tauri::State;
use vaultmort_certs::key_file;
use vaultmort_core::keys::{CreateKey, ImportKey, KeyRef, UpdateKey};
use vaultmort_crypto::{Curve, EncryptionAlgorithm, JsonWebKey, KeyOperation, SignatureAlgorithm};
use vaultmort_home::files::FileKind;
use zeroize::Zeroizing;

use crate::dto::KeyCatalogView;
use crate::dto::{
    AttributesInput, CreateKeyInput, CryptoOperation, ImportKeyInput, KeyDetails, KeyFileFormat, KeyItem, KeyProtection, SavedFile,
    parse_time,
};
use crate::error::CommandError;
use crate::files::{Sensitivity, received_file, save};
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

/// Creates a key (or a new version of one), software- or HSM-protected, with the operations
/// ticked (the type's defaults when none are given). An HSM key in a standard vault is refused
/// by the core with `BadParameter`, as Key Vault does.
#[tauri::command]
#[specta::specta]
pub async fn create_key(state: State<'_, AppState>, vault: String, input: CreateKeyInput) -> Result<KeyItem, CommandError> {
    let curve = input.curve.as_deref().map(str::parse::<Curve>).transpose()?;
    let key_ops = parse_key_ops(input.key_ops.as_deref())?;
    let kty = input.kty.key_type(input.protection.unwrap_or_default());
    let request = CreateKey {
        size: input.size,
        curve,
        key_ops,
        enabled: input.enabled.unwrap_or(true),
        not_before: parse_time("activation date", input.not_before.as_deref())?,
        expires: parse_time("expiry", input.expires.as_deref())?,
        tags: input.tags.unwrap_or_default(),
        ..CreateKey::new(input.name, kty)
    };
    Ok(state.core()?.create_key(&state.caller(), &vault, request).await?.into())
}

/// Imports a key (or a new version of one) from a file: a private JWK or a PKCS#8 PEM key
/// (software- or HSM-protected), or a `.byok` transfer file, which the HSM unwraps with the
/// vault's key-exchange key named in the file (bring your own key).
#[tauri::command]
#[specta::specta]
pub async fn import_key(state: State<'_, AppState>, vault: String, input: ImportKeyInput) -> Result<KeyItem, CommandError> {
    let bytes = Zeroizing::new(received_file(&input.data, FileKind::Key)?);
    let protection = input.protection.unwrap_or_default();
    let jwk = match input.format {
        KeyFileFormat::Jwk => {
            let text = std::str::from_utf8(&bytes).map_err(|_| CommandError::bad_parameter("the JWK is not UTF-8 text"))?;
            JsonWebKey::parse(text)?
        }
        KeyFileFormat::Pem => {
            let text = std::str::from_utf8(&bytes).map_err(|_| CommandError::bad_parameter("the PEM file is not text"))?;
            let password = input.password.map(Zeroizing::new);
            key_file::private_jwk(&key_file::pkcs8_from_pem(text, password.as_deref().map(String::as_str))?)?
        }
        KeyFileFormat::Byok => {
            if protection == KeyProtection::Software {
                return Err(CommandError::bad_parameter("a BYOK transfer file is unwrapped inside the HSM: import it with HSM protection"));
            }
            let mut jwk = JsonWebKey::default();
            jwk.kty = "RSA-HSM".into();
            jwk.key_hsm = Some(bytes.to_vec());
            jwk
        }
    };
    let request = ImportKey {
        hsm: protection == KeyProtection::Hsm,
        key_ops: parse_key_ops(input.key_ops.as_deref())?,
        enabled: input.enabled.unwrap_or(true),
        not_before: parse_time("activation date", input.not_before.as_deref())?,
        expires: parse_time("expiry", input.expires.as_deref())?,
        tags: input.tags.unwrap_or_default(),
        ..ImportKey::new(input.name, jwk)
    };
    Ok(state.core()?.import_key(&state.caller(), &vault, request).await?.into())
}

/// The operations ticked in a form, by Key Vault's names.
fn parse_key_ops(ops: Option<&[String]>) -> Result<Option<Vec<KeyOperation>>, CommandError> {
    Ok(ops.map(|ops| ops.iter().map(|op| op.parse::<KeyOperation>()).collect::<Result<Vec<_>, _>>()).transpose()?)
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
