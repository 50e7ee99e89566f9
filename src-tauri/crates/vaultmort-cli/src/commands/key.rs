//! `vaultmort keyvault key ...`

use serde_json::{Value, json};
use vaultmort_core::address::vault_url;
use vaultmort_core::keys::{CreateKey, ImportKey, KeyRef, UpdateKey};
use vaultmort_core::model::AttributeChanges;
use vaultmort_core::{Error, ObjectKind, RequestContext, Vaultmort};
use vaultmort_crypto::{EncryptionAlgorithm, JsonWebKey, KeyOperation, KeyType, SignatureAlgorithm};
use vaultmort_home::files::{FileKind, Sensitivity};
use zeroize::Zeroizing;

use super::{json_text_or_file, lifecycle, read_file, write_new_file};
use crate::args::{CryptoArgs, ImportSource, KeyCommand, RotationPolicyCommand};
use vaultmort_certs::key_file;

use crate::{CliError, dto, parse};

const COLLECTION: &str = "keys";

fn ops(list: &Option<Vec<String>>) -> Result<Option<Vec<KeyOperation>>, Error> {
    list.as_ref().map(|ops| ops.iter().map(|op| op.parse::<KeyOperation>().map_err(Error::from)).collect()).transpose()
}

/// `--protection`: `Some(true)` for hsm, `Some(false)` for software, `None` when not given.
fn hsm_protection(protection: Option<&str>) -> Result<Option<bool>, Error> {
    match protection.map(str::to_ascii_lowercase).as_deref() {
        None => Ok(None),
        Some("software") => Ok(Some(false)),
        Some("hsm") => Ok(Some(true)),
        Some(other) => Err(Error::bad(format!("--protection '{other}' is not software or hsm"))),
    }
}

/// The key type from `--kty` and `--protection`, as az maps them: `--protection hsm` turns RSA
/// into RSA-HSM and EC into EC-HSM; an -HSM type with `--protection software` is a contradiction.
fn key_type(kty: &str, protection: Option<&str>) -> Result<KeyType, Error> {
    let base: KeyType = kty.parse()?;
    match hsm_protection(protection)? {
        None => Ok(base),
        Some(false) if base.is_hsm() => Err(Error::bad(format!("--kty {base} is an HSM key type; it cannot have --protection software"))),
        Some(false) => Ok(base),
        Some(true) => Ok(if base.is_rsa() { KeyType::RsaHsm } else { KeyType::EcHsm }),
    }
}

/// The key a `key import` brings, from whichever of its source flags was given.
fn import_source(source: ImportSource) -> Result<(JsonWebKey, bool), CliError> {
    let ImportSource { file, pem_file, pem_string, pem_password, byok_file, byok_string, kty, protection } = source;
    let hsm = hsm_protection(protection.as_deref())?;
    if let Some(blob) = match (byok_file, byok_string) {
        (Some(path), _) => Some(read_file(&path, FileKind::Json)?),
        (None, Some(text)) => Some(text.into_bytes()),
        (None, None) => None,
    } {
        if hsm == Some(false) {
            return Err(Error::bad("a BYOK transfer imports an HSM key; it cannot have --protection software").into());
        }
        // Key Vault takes the blob's bytes as `key_hsm`, with the HSM type of the key it carries.
        let kty = match kty.as_deref().map(str::to_ascii_uppercase).as_deref() {
            None | Some("RSA") | Some("RSA-HSM") => "RSA-HSM",
            Some("EC") | Some("EC-HSM") => "EC-HSM",
            Some(other) => return Err(Error::bad(format!("--kty '{other}' is not RSA or EC (a BYOK transfer carries one of them)")).into()),
        };
        let mut jwk = JsonWebKey::default();
        jwk.kty = kty.into();
        jwk.key_hsm = Some(blob);
        return Ok((jwk, true));
    }
    let pem = match (pem_file, pem_string) {
        (Some(path), _) => {
            let bytes = Zeroizing::new(read_file(&path, FileKind::Key)?);
            Some(Zeroizing::new(
                std::str::from_utf8(&bytes).map_err(|_| Error::bad(format!("{} is not a PEM text file", path.display())))?.to_string(),
            ))
        }
        (None, Some(text)) => Some(Zeroizing::new(text)),
        (None, None) => None,
    };
    let jwk = match (pem, file) {
        (Some(text), _) => key_file::private_jwk(&key_file::pkcs8_from_pem(&text, pem_password.as_deref())?)?,
        (None, Some(file)) => {
            let text = Zeroizing::new(
                String::from_utf8(read_file(&file, FileKind::Key)?)
                    .map_err(|_| Error::bad(format!("{} is not a JSON text file", file.display())))?,
            );
            JsonWebKey::parse(&text).map_err(|e| Error::bad(format!("{}: {e}", file.display())))?
        }
        (None, None) => return Err(Error::bad("give the key: --pem-file, --byok-file or a JWK --file").into()),
    };
    Ok((jwk, hsm.unwrap_or(false)))
}

fn list(bundles: Vec<vaultmort_core::keys::KeyBundle>) -> Value {
    Value::Array(bundles.iter().map(dto::key_item).collect())
}

async fn crypto(core: &Vaultmort, ctx: &RequestContext, args: CryptoArgs, operation: &str) -> Result<Value, CliError> {
    let target = args.target.resolve(COLLECTION)?;
    let key = KeyRef::version(&target.vault, &target.name, target.version.as_deref());
    let algorithm: EncryptionAlgorithm = args.algorithm.parse().map_err(Error::from)?;
    let plaintext_io = match args.data_type.to_ascii_lowercase().as_str() {
        "base64" => false,
        "plaintext" => true,
        other => return Err(Error::bad(format!("--data-type '{other}' is not base64 or plaintext")).into()),
    };
    let input = match (operation, plaintext_io) {
        ("encrypt", true) => args.value.as_bytes().to_vec(),
        _ => parse::base64("value", &args.value)?,
    };
    let result = match operation {
        "encrypt" => core.encrypt(ctx, key, algorithm, &input).await?,
        "decrypt" => core.decrypt(ctx, key, algorithm, &input).await?,
        "wrap" => core.wrap_key(ctx, key, algorithm, &input).await?,
        _ => core.unwrap_key(ctx, key, algorithm, &input).await?,
    };
    let text = if operation == "decrypt" && plaintext_io {
        String::from_utf8(result.value.to_vec()).map_err(|_| Error::bad("the plaintext is not UTF-8 text; use --data-type base64"))?
    } else {
        dto::b64(&result.value)
    };
    Ok(json!({"algorithm": algorithm.as_str(), "kid": result.kid.url(&vault_url(&result.kid.vault)), "result": text}))
}

/// Runs a key command.
pub async fn run(core: &Vaultmort, ctx: &RequestContext, command: KeyCommand) -> Result<Value, CliError> {
    Ok(match command {
        KeyCommand::Create { vault, name, kty, size, curve, ops: key_ops, protection, disabled, attributes } => {
            let mut request = CreateKey::new(name, key_type(&kty, protection.as_deref())?);
            request.size = size;
            request.curve = curve.as_deref().map(str::parse).transpose().map_err(Error::from)?;
            request.key_ops = ops(&key_ops)?;
            request.enabled = !disabled.unwrap_or(false);
            request.not_before = parse::optional_date("not-before", &attributes.not_before)?;
            request.expires = parse::optional_date("expires", &attributes.expires)?;
            request.tags = parse::optional_tags(&attributes.tags)?.unwrap_or_default();
            dto::key(&core.create_key(ctx, &vault.vault_name, request).await?)
        }
        KeyCommand::Import { vault, name, source, ops: key_ops, disabled, attributes } => {
            let (jwk, hsm) = import_source(source)?;
            let request = ImportKey {
                name,
                jwk,
                hsm,
                enabled: !disabled.unwrap_or(false),
                not_before: parse::optional_date("not-before", &attributes.not_before)?,
                expires: parse::optional_date("expires", &attributes.expires)?,
                tags: parse::optional_tags(&attributes.tags)?.unwrap_or_default(),
                key_ops: ops(&key_ops)?,
            };
            dto::key(&core.import_key(ctx, &vault.vault_name, request).await?)
        }
        KeyCommand::Show(target) => {
            let t = target.resolve(COLLECTION)?;
            dto::key(&core.get_key(ctx, &t.vault, &t.name, t.version.as_deref()).await?)
        }
        KeyCommand::List(vault) => list(core.list_keys(ctx, &vault.vault_name).await?),
        KeyCommand::ListVersions(target) => {
            let t = target.resolve(COLLECTION)?;
            list(core.list_key_versions(ctx, &t.vault, &t.name).await?)
        }
        KeyCommand::SetAttributes { target, enabled, ops: key_ops, attributes } => {
            let t = target.resolve(COLLECTION)?;
            let update = UpdateKey {
                attributes: AttributeChanges {
                    enabled,
                    not_before: parse::optional_date("not-before", &attributes.not_before)?.map(Some),
                    expires: parse::optional_date("expires", &attributes.expires)?.map(Some),
                    tags: parse::optional_tags(&attributes.tags)?,
                },
                key_ops: ops(&key_ops)?,
            };
            dto::key(&core.update_key(ctx, &t.vault, &t.name, t.version.as_deref(), update).await?)
        }
        KeyCommand::Download { target, file, encoding } => {
            let t = target.resolve(COLLECTION)?;
            let bundle = core.get_key(ctx, &t.vault, &t.name, t.version.as_deref()).await?;
            let bytes = match encoding.to_ascii_uppercase().as_str() {
                "PEM" => bundle.public.to_spki_pem()?.into_bytes(),
                "DER" => bundle.public.to_spki_der()?,
                "JWK" => serde_json::to_vec_pretty(&bundle.jwk(&vault_url(&t.vault))).unwrap_or_default(),
                other => return Err(Error::bad(format!("--encoding '{other}' is not PEM, DER or JWK")).into()),
            };
            // Only the public key leaves: PEM and DER are SPKI, the JWK has no private members.
            write_new_file(&file, &bytes, Sensitivity::Public)?;
            Value::Null
        }
        KeyCommand::Lifecycle(command) => lifecycle::run(core, ctx, ObjectKind::Key, command).await?,
        KeyCommand::Rotate(target) => {
            let t = target.resolve(COLLECTION)?;
            dto::key(&core.rotate_key(ctx, &t.vault, &t.name).await?)
        }
        KeyCommand::RotationPolicy(RotationPolicyCommand::Show(target)) => {
            let t = target.resolve(COLLECTION)?;
            dto::rotation_policy(&core.get_key_rotation_policy(ctx, &t.vault, &t.name).await?, &t.vault, &t.name)
        }
        KeyCommand::RotationPolicy(RotationPolicyCommand::Update { target, value }) => {
            let t = target.resolve(COLLECTION)?;
            let json = json_text_or_file(value, "--value")?;
            let json: Value = serde_json::from_str(&json).map_err(|e| Error::bad(format!("--value is not JSON: {e}")))?;
            let policy = vaultmort_core::rotation::RotationPolicy::from_wire(json)?;
            dto::rotation_policy(&core.set_key_rotation_policy(ctx, &t.vault, &t.name, policy).await?, &t.vault, &t.name)
        }
        KeyCommand::Encrypt(args) => crypto(core, ctx, args, "encrypt").await?,
        KeyCommand::Decrypt(args) => crypto(core, ctx, args, "decrypt").await?,
        KeyCommand::Wrap(args) => crypto(core, ctx, args, "wrap").await?,
        KeyCommand::Unwrap(args) => crypto(core, ctx, args, "unwrap").await?,
        KeyCommand::Sign { target, algorithm, digest } => {
            let t = target.resolve(COLLECTION)?;
            let algorithm: SignatureAlgorithm = algorithm.parse().map_err(Error::from)?;
            let digest = parse::base64("digest", &digest)?;
            let result = core.sign(ctx, KeyRef::version(&t.vault, &t.name, t.version.as_deref()), algorithm, &digest).await?;
            json!({"algorithm": algorithm.as_str(), "kid": result.kid.url(&vault_url(&t.vault)), "signature": dto::b64(&result.value)})
        }
        KeyCommand::Verify { target, algorithm, digest, signature } => {
            let t = target.resolve(COLLECTION)?;
            let algorithm: SignatureAlgorithm = algorithm.parse().map_err(Error::from)?;
            let digest = parse::base64("digest", &digest)?;
            let signature = parse::base64("signature", &signature)?;
            let result = core.verify(ctx, KeyRef::version(&t.vault, &t.name, t.version.as_deref()), algorithm, &digest, &signature).await?;
            json!({"isValid": result.valid})
        }
    })
}
