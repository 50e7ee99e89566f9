//! `vaultmort keyvault certificate ...`, `vaultmort ca ...` and `vaultmort events ...`

use serde_json::{Value, json};
use vaultmort_certs::policy::CertificatePolicy;
use vaultmort_core::certificates::{DownloadFormat, ImportCertificate};
use vaultmort_core::issuers::{Contact, IssuerChanges};
use vaultmort_core::model::AttributeChanges;
use vaultmort_core::{Error, ObjectKind, RequestContext, Vaultmort};
use vaultmort_home::files::{FileKind, Sensitivity};
use zeroize::Zeroizing;

use super::{json_text_or_file, lifecycle, read_file, write_new_file};
use crate::args::{CaCommand, CertificateCommand, ContactCommand, EventsCommand, IssuerArgs, IssuerCommand, PendingCommand};
use crate::{CliError, dto, parse};

const COLLECTION: &str = "certificates";

/// Reads `--policy`: JSON text or `@file`.
fn policy(text: &str) -> Result<CertificatePolicy, CliError> {
    let json = json_text_or_file(text.to_string(), "--policy")?;
    serde_json::from_str(&json).map_err(|e| Error::bad(format!("--policy is not a valid certificate policy: {e}")).into())
}

fn list(bundles: Vec<vaultmort_core::certificates::CertificateBundle>) -> Value {
    Value::Array(bundles.iter().map(dto::certificate_item).collect())
}

fn issuer_changes(args: &IssuerArgs) -> IssuerChanges {
    IssuerChanges {
        provider: args.provider_name.clone(),
        account_id: args.account_id.clone(),
        password: args.password.clone().map(Zeroizing::new),
        organization_id: args.organization_id.clone(),
        admin_details: None,
        enabled: args.disabled.map(|d| !d),
    }
}

/// Runs a certificate command.
pub async fn run(core: &Vaultmort, ctx: &RequestContext, command: CertificateCommand) -> Result<Value, CliError> {
    Ok(match command {
        CertificateCommand::Create { vault, name, policy: text, disabled, tags } => {
            let policy = policy(&text)?;
            let tags = parse::optional_tags(&tags)?.unwrap_or_default();
            let op = core.create_certificate(ctx, &vault.vault_name, &name, Some(policy), !disabled.unwrap_or(false), tags).await?;
            dto::certificate_operation(&op)
        }
        CertificateCommand::Import { vault, name, file, password, policy: text, disabled, tags } => {
            let request = ImportCertificate {
                name,
                data: Zeroizing::new(read_file(&file, FileKind::Certificate)?),
                password: password.map(Zeroizing::new),
                policy: text.as_deref().map(policy).transpose()?,
                enabled: !disabled.unwrap_or(false),
                tags: parse::optional_tags(&tags)?.unwrap_or_default(),
            };
            dto::certificate(&core.import_certificate(ctx, &vault.vault_name, request).await?)
        }
        CertificateCommand::Show(target) => {
            let t = target.resolve(COLLECTION)?;
            dto::certificate(&core.get_certificate(ctx, &t.vault, &t.name, t.version.as_deref()).await?)
        }
        CertificateCommand::List(vault) => list(core.list_certificates(ctx, &vault.vault_name).await?),
        CertificateCommand::ListVersions(target) => {
            let t = target.resolve(COLLECTION)?;
            list(core.list_certificate_versions(ctx, &t.vault, &t.name).await?)
        }
        CertificateCommand::SetAttributes { target, enabled, tags, policy: text } => {
            let t = target.resolve(COLLECTION)?;
            if let Some(text) = text {
                core.update_certificate_policy(ctx, &t.vault, &t.name, policy(&text)?).await?;
            }
            let changes = AttributeChanges { enabled, not_before: None, expires: None, tags: parse::optional_tags(&tags)? };
            dto::certificate(&core.update_certificate(ctx, &t.vault, &t.name, t.version.as_deref(), changes).await?)
        }
        CertificateCommand::Download { target, file, encoding, chain, password } => {
            let t = target.resolve(COLLECTION)?;
            let format = match (encoding.to_ascii_uppercase().as_str(), chain) {
                ("PEM", false) => DownloadFormat::Pem,
                ("PEM", true) => DownloadFormat::PemChain,
                ("DER", false) => DownloadFormat::Der,
                ("PFX", _) => DownloadFormat::Pfx,
                ("DER", true) => return Err(Error::bad("--chain needs --encoding PEM or PFX").into()),
                (other, _) => return Err(Error::bad(format!("--encoding '{other}' is not PEM, DER or PFX")).into()),
            };
            if password.is_some() && format != DownloadFormat::Pfx {
                return Err(Error::bad("--password applies to --encoding PFX").into());
            }
            let bytes = core.download_certificate(ctx, &t.vault, &t.name, t.version.as_deref(), format, password.as_deref()).await?;
            // A PFX holds the private key (in the clear when no password is given).
            let sensitivity = if format == DownloadFormat::Pfx { Sensitivity::Private } else { Sensitivity::Public };
            write_new_file(&file, &bytes, sensitivity)?;
            Value::Null
        }
        CertificateCommand::GetDefaultPolicy => dto::certificate_policy(&CertificatePolicy::azure_default()),
        CertificateCommand::ShowPolicy(target) => {
            let t = target.resolve(COLLECTION)?;
            dto::certificate_policy(&core.get_certificate_policy(ctx, &t.vault, &t.name).await?)
        }
        CertificateCommand::Lifecycle(command) => lifecycle::run(core, ctx, ObjectKind::Certificate, command).await?,
        CertificateCommand::Pending(command) => pending(core, ctx, command).await?,
        CertificateCommand::Issuer(command) => issuer(core, ctx, command).await?,
        CertificateCommand::Contact(command) => contact(core, ctx, command).await?,
    })
}

async fn pending(core: &Vaultmort, ctx: &RequestContext, command: PendingCommand) -> Result<Value, CliError> {
    Ok(match command {
        PendingCommand::Show(target) => {
            let t = target.resolve(COLLECTION)?;
            dto::certificate_operation(&core.get_certificate_operation(ctx, &t.vault, &t.name).await?)
        }
        PendingCommand::Merge { target, file, tags, disabled } => {
            let t = target.resolve(COLLECTION)?;
            let tags = parse::optional_tags(&tags)?.unwrap_or_default();
            let bundle = core
                .merge_certificate(ctx, &t.vault, &t.name, &read_file(&file, FileKind::Certificate)?, !disabled.unwrap_or(false), tags)
                .await?;
            dto::certificate(&bundle)
        }
        PendingCommand::Cancel(target) => {
            let t = target.resolve(COLLECTION)?;
            dto::certificate_operation(&core.cancel_certificate_operation(ctx, &t.vault, &t.name).await?)
        }
        PendingCommand::Delete(target) => {
            let t = target.resolve(COLLECTION)?;
            dto::certificate_operation(&core.delete_certificate_operation(ctx, &t.vault, &t.name).await?)
        }
    })
}

async fn issuer(core: &Vaultmort, ctx: &RequestContext, command: IssuerCommand) -> Result<Value, CliError> {
    Ok(match command {
        IssuerCommand::Create(args) => {
            dto::issuer(&core.set_certificate_issuer(ctx, &args.vault.vault_name, &args.issuer_name, issuer_changes(&args)).await?)
        }
        IssuerCommand::Update(args) => {
            dto::issuer(&core.update_certificate_issuer(ctx, &args.vault.vault_name, &args.issuer_name, issuer_changes(&args)).await?)
        }
        IssuerCommand::Show { vault, issuer_name } => {
            dto::issuer(&core.get_certificate_issuer(ctx, &vault.vault_name, &issuer_name).await?)
        }
        IssuerCommand::List(vault) => {
            Value::Array(core.list_certificate_issuers(ctx, &vault.vault_name).await?.iter().map(dto::issuer).collect())
        }
        IssuerCommand::Delete { vault, issuer_name } => {
            dto::issuer(&core.delete_certificate_issuer(ctx, &vault.vault_name, &issuer_name).await?)
        }
    })
}

fn contacts_json(contacts: &[Contact]) -> Value {
    json!({"contactList": contacts.iter().map(|c| json!({"email": c.email, "name": c.name, "phone": c.phone})).collect::<Vec<_>>()})
}

async fn contact(core: &Vaultmort, ctx: &RequestContext, command: ContactCommand) -> Result<Value, CliError> {
    Ok(match command {
        ContactCommand::Add { vault, email, name, phone } => {
            let mut contacts = core.get_certificate_contacts(ctx, &vault.vault_name).await?;
            contacts.retain(|c| !c.email.eq_ignore_ascii_case(&email));
            contacts.push(Contact { email, name, phone });
            contacts_json(&core.set_certificate_contacts(ctx, &vault.vault_name, contacts).await?)
        }
        ContactCommand::List(vault) => contacts_json(&core.get_certificate_contacts(ctx, &vault.vault_name).await?),
        ContactCommand::Delete { vault, email } => {
            let mut contacts = core.get_certificate_contacts(ctx, &vault.vault_name).await?;
            let before = contacts.len();
            contacts.retain(|c| !c.email.eq_ignore_ascii_case(&email));
            if contacts.len() == before {
                return Err(Error::bad(format!("'{email}' is not a contact of vault '{}'", vault.vault_name)).into());
            }
            let kept = if contacts.is_empty() {
                core.delete_certificate_contacts(ctx, &vault.vault_name).await?;
                Vec::new()
            } else {
                core.set_certificate_contacts(ctx, &vault.vault_name, contacts).await?
            };
            contacts_json(&kept)
        }
    })
}

/// Runs a `ca` command.
pub async fn ca(core: &Vaultmort, ctx: &RequestContext, command: CaCommand) -> Result<Value, CliError> {
    match command {
        CaCommand::ExportRoot { file, encoding } => {
            let der = core.practice_ca_root(ctx).await?;
            let bytes = match encoding.to_ascii_uppercase().as_str() {
                "DER" => der,
                "PEM" => vaultmort_certs::pem::write_pem(&[der], None).map_err(vaultmort_core::Error::from)?.as_bytes().to_vec(),
                other => return Err(Error::bad(format!("--encoding '{other}' is not PEM or DER")).into()),
            };
            write_new_file(&file, &bytes, Sensitivity::Public)?;
            Ok(Value::Null)
        }
    }
}

/// Runs an `events` command.
pub async fn events(core: &Vaultmort, ctx: &RequestContext, command: EventsCommand) -> Result<Value, CliError> {
    match command {
        EventsCommand::List { vault_name, event_type } => {
            let events = core.list_events(ctx, vault_name.as_deref(), 0, 100_000).await?;
            Ok(Value::Array(
                events
                    .iter()
                    .filter(|e| event_type.as_deref().is_none_or(|t| e.event_type.eq_ignore_ascii_case(t)))
                    .map(dto::event)
                    .collect(),
            ))
        }
    }
}
