//! `vaultmort keyvault secret ...`

use serde_json::Value;
use vaultmort_core::model::AttributeChanges;
use vaultmort_core::secrets::{SetSecret, UpdateSecret};
use vaultmort_core::{Error, ObjectKind, RequestContext, Vaultmort};
use vaultmort_home::files::{FileKind, Sensitivity};
use zeroize::Zeroizing;

use super::{lifecycle, read_file, write_new_file};
use crate::args::SecretCommand;
use crate::{CliError, dto, parse};

const COLLECTION: &str = "secrets";

fn list(bundles: Vec<vaultmort_core::secrets::SecretBundle>) -> Value {
    Value::Array(bundles.iter().map(dto::secret).collect())
}

/// File bytes to the stored text, as az's `--encoding` for `secret set --file`.
fn file_to_value(bytes: Vec<u8>, encoding: Option<&str>) -> Result<Zeroizing<String>, Error> {
    let bytes = Zeroizing::new(bytes);
    match encoding.unwrap_or("utf-8").to_ascii_lowercase().as_str() {
        "utf-8" | "utf8" => String::from_utf8(bytes.to_vec())
            .map(Zeroizing::new)
            .map_err(|_| Error::bad("the file is not UTF-8 text; use --encoding base64")),
        "ascii" => {
            if !bytes.is_ascii() {
                return Err(Error::bad("the file is not ASCII text; use --encoding utf-8 or base64"));
            }
            Ok(Zeroizing::new(String::from_utf8_lossy(&bytes).into_owned()))
        }
        "base64" => Ok(Zeroizing::new(dto::b64(&bytes))),
        "hex" => Ok(Zeroizing::new(hex::encode(bytes.as_slice()))),
        other => Err(Error::bad(format!("--encoding '{other}' is not utf-8, ascii, base64 or hex"))),
    }
}

/// The stored text back to file bytes.
fn value_to_file(value: &str, encoding: Option<&str>) -> Result<Zeroizing<Vec<u8>>, Error> {
    match encoding.unwrap_or("utf-8").to_ascii_lowercase().as_str() {
        "utf-8" | "utf8" | "ascii" => Ok(Zeroizing::new(value.as_bytes().to_vec())),
        "base64" => parse::base64("value", value).map(Zeroizing::new).map_err(|_| Error::bad("the secret's value is not base64")),
        "hex" => hex::decode(value.trim()).map(Zeroizing::new).map_err(|_| Error::bad("the secret's value is not hex")),
        other => Err(Error::bad(format!("--encoding '{other}' is not utf-8, ascii, base64 or hex"))),
    }
}

/// Runs a secret command.
pub async fn run(core: &Vaultmort, ctx: &RequestContext, command: SecretCommand) -> Result<Value, CliError> {
    Ok(match command {
        SecretCommand::Set { vault, name, value, file, encoding, content_type, disabled, attributes } => {
            let value = match (value, file) {
                (Some(value), _) => Zeroizing::new(value),
                (None, Some(path)) => file_to_value(read_file(&path, FileKind::SecretValue)?, encoding.as_deref())?,
                (None, None) => return Err(Error::bad("give --value or --file").into()),
            };
            let request = SetSecret {
                name,
                value,
                content_type,
                enabled: !disabled.unwrap_or(false),
                not_before: parse::optional_date("not-before", &attributes.not_before)?,
                expires: parse::optional_date("expires", &attributes.expires)?,
                tags: parse::optional_tags(&attributes.tags)?.unwrap_or_default(),
            };
            dto::secret(&core.set_secret(ctx, &vault.vault_name, request).await?)
        }
        SecretCommand::Show(target) => {
            let t = target.resolve(COLLECTION)?;
            dto::secret(&core.get_secret(ctx, &t.vault, &t.name, t.version.as_deref()).await?)
        }
        SecretCommand::List(vault) => list(core.list_secrets(ctx, &vault.vault_name).await?),
        SecretCommand::ListVersions(target) => {
            let t = target.resolve(COLLECTION)?;
            list(core.list_secret_versions(ctx, &t.vault, &t.name).await?)
        }
        SecretCommand::SetAttributes { target, enabled, content_type, attributes } => {
            let t = target.resolve(COLLECTION)?;
            let update = UpdateSecret {
                attributes: AttributeChanges {
                    enabled,
                    not_before: parse::optional_date("not-before", &attributes.not_before)?.map(Some),
                    expires: parse::optional_date("expires", &attributes.expires)?.map(Some),
                    tags: parse::optional_tags(&attributes.tags)?,
                },
                content_type,
            };
            dto::secret(&core.update_secret(ctx, &t.vault, &t.name, t.version.as_deref(), update).await?)
        }
        SecretCommand::Download { target, file, encoding } => {
            let t = target.resolve(COLLECTION)?;
            let bundle = core.get_secret(ctx, &t.vault, &t.name, t.version.as_deref()).await?;
            let value = bundle.value.as_ref().map(|v| v.as_str()).unwrap_or_default();
            write_new_file(&file, &value_to_file(value, encoding.as_deref())?, Sensitivity::Private)?;
            Value::Null
        }
        SecretCommand::Lifecycle(command) => lifecycle::run(core, ctx, ObjectKind::Secret, command).await?,
    })
}
