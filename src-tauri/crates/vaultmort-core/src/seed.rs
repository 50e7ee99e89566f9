//! Seed files: a YAML (or JSON) list of what a fresh home should hold, for throwaway servers in
//! test suites (`vaultmort serve --ephemeral --seed FILE`).
//!
//! A seed file is read in two steps. [`parse_seed`] reads the text into raw entries (every
//! struct refuses fields it does not know) and checks every entry against the same rules the
//! operations apply (names, SKUs, key types and sizes, key operations, certificate policies,
//! access policy permissions, role names, and references between entries), so that a wrong seed
//! is refused before anything is made. Every refusal is a `BadParameter` whose message starts
//! with the path of the offending entry, such as
//! `vaults[0].accessPolicies[1].application: no application named 'x' in applications`.
//! [`Vaultmort::apply_seed`] then makes the entries through the public operations as the caller
//! (the local owner, for the CLI), in this order: resource groups, applications (a service
//! principal each, with a fresh client secret), vaults with their issuers, secrets, keys and
//! certificates, then access policies and role assignments (last, so that a seeded policy for
//! the owner cannot take away the access the seed itself needs).
//!
//! Left out: seeding a home that already holds data (the CLI only seeds a throwaway home),
//! certificates that need a merge (issuer `Unknown`), imported keys and certificates, and users,
//! groups of the directory and managed identities.

use std::collections::HashMap;

use serde::Deserialize;
use zeroize::Zeroizing;

use crate::access_policy::{PolicyChange, parse_permissions};
use crate::error::ObjectKind;
use crate::groups::CreateGroup;
use crate::issuers::{IssuerChanges, PRACTICE_PROVIDER};
use crate::keys::CreateKey;
use crate::model::{Sku, Tags};
use crate::secrets::{MAX_SECRET_BYTES, SetSecret};
use crate::vaults::CreateVault;
use crate::{Error, RequestContext, Result, Vaultmort, names};
use vaultmort_certs::policy::CertificatePolicy;
use vaultmort_crypto::{Curve, KeyOperation, KeySpec, KeyType};

/// The location of a resource group the seed does not list but a vault names.
pub const DEFAULT_LOCATION: &str = "westeurope";

/// The role the local owner is given on a seeded vault that uses RBAC authorization, so that the
/// seed can fill it (in RBAC mode nobody has data access until a role is assigned).
pub const RBAC_SEED_ROLE: &str = "Key Vault Administrator";

// ---------------------------------------------------------------------------------------------
// The file as written.

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct RawSeed {
    #[serde(default)]
    groups: Vec<RawGroup>,
    #[serde(default)]
    applications: Vec<RawApplication>,
    #[serde(default)]
    vaults: Vec<RawVault>,
    #[serde(default)]
    role_assignments: Vec<RawRoleAssignment>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct RawGroup {
    name: String,
    location: Option<String>,
    #[serde(default)]
    tags: Tags,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct RawApplication {
    name: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct RawVault {
    name: String,
    resource_group: String,
    location: Option<String>,
    sku: Option<String>,
    enable_rbac_authorization: Option<bool>,
    #[serde(default)]
    tags: Tags,
    #[serde(default)]
    secrets: Vec<RawSecret>,
    #[serde(default)]
    keys: Vec<RawKey>,
    #[serde(default)]
    certificates: Vec<RawCertificate>,
    #[serde(default)]
    issuers: Vec<RawIssuer>,
    #[serde(default)]
    access_policies: Vec<RawAccessPolicy>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct RawSecret {
    name: String,
    value: Zeroizing<String>,
    content_type: Option<String>,
    enabled: Option<bool>,
    #[serde(default)]
    tags: Tags,
}

impl std::fmt::Debug for RawSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RawSecret").field("name", &self.name).finish_non_exhaustive()
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct RawKey {
    name: String,
    kty: String,
    size: Option<u32>,
    curve: Option<String>,
    key_ops: Option<Vec<String>>,
    enabled: Option<bool>,
    #[serde(default)]
    tags: Tags,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct RawCertificate {
    name: String,
    subject: Option<String>,
    issuer: Option<String>,
    dns_names: Option<Vec<String>>,
    validity_months: Option<u32>,
    key_type: Option<String>,
    key_size: Option<u32>,
    curve: Option<String>,
    content_type: Option<String>,
    enabled: Option<bool>,
    #[serde(default)]
    tags: Tags,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct RawIssuer {
    name: String,
    provider: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct RawAccessPolicy {
    application: Option<String>,
    owner: Option<bool>,
    secrets: Option<Vec<String>>,
    keys: Option<Vec<String>>,
    certificates: Option<Vec<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct RawRoleAssignment {
    role: String,
    application: String,
    scope: String,
}

// ---------------------------------------------------------------------------------------------
// The checked seed.

/// A seed file that passed every check: what [`Vaultmort::apply_seed`] makes.
#[derive(Debug)]
pub struct Seed {
    groups: Vec<CreateGroup>,
    applications: Vec<String>,
    vaults: Vec<SeedVault>,
    role_assignments: Vec<SeedRoleAssignment>,
}

#[derive(Debug)]
struct SeedVault {
    path: String,
    request: CreateVault,
    issuers: Vec<(String, String)>,
    secrets: Vec<(String, SetSecret)>,
    keys: Vec<(String, CreateKey)>,
    certificates: Vec<SeedCertificate>,
    access_policies: Vec<SeedAccessPolicy>,
}

#[derive(Debug)]
struct SeedCertificate {
    path: String,
    name: String,
    policy: CertificatePolicy,
    enabled: bool,
    tags: Tags,
}

/// Who an access policy or role assignment is for.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Grantee {
    /// The local owner.
    Owner,
    /// A seeded application, by its index in `applications`.
    Application(usize),
}

#[derive(Debug)]
struct SeedAccessPolicy {
    path: String,
    grantee: Grantee,
    change: PolicyChange,
}

#[derive(Debug)]
struct SeedRoleAssignment {
    path: String,
    role: String,
    application: usize,
    /// The vault's index in `vaults`, then `kind/name` below it, if any.
    vault: usize,
    below: Option<String>,
}

impl Seed {
    /// How many objects the seed makes (groups, applications, vaults, issuers, secrets, keys,
    /// certificates, access policies and role assignments).
    pub fn object_count(&self) -> usize {
        self.groups.len()
            + self.applications.len()
            + self.role_assignments.len()
            + self
                .vaults
                .iter()
                .map(|v| 1 + v.issuers.len() + v.secrets.len() + v.keys.len() + v.certificates.len() + v.access_policies.len())
                .sum::<usize>()
    }

    /// The vault names, in the file's order.
    pub fn vault_names(&self) -> impl Iterator<Item = &str> {
        self.vaults.iter().map(|v| v.request.name.as_str())
    }
}

/// A seeded application with the client secret made for it (shown to the caller once; only its
/// digest is stored).
pub struct SeededApplication {
    /// The name given in the seed (the service principal's display name).
    pub name: String,
    /// The application (client) id.
    pub client_id: String,
    /// The service principal's object id.
    pub object_id: String,
    /// The client secret.
    pub client_secret: Zeroizing<String>,
}

impl std::fmt::Debug for SeededApplication {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SeededApplication").field("name", &self.name).field("client_id", &self.client_id).finish_non_exhaustive()
    }
}

/// What [`Vaultmort::apply_seed`] made.
#[derive(Debug)]
pub struct SeedReport {
    /// The vault names, in the file's order.
    pub vaults: Vec<String>,
    /// The applications, in the file's order.
    pub applications: Vec<SeededApplication>,
}

// ---------------------------------------------------------------------------------------------
// Parsing and checking.

fn at(path: &str, message: impl std::fmt::Display) -> Error {
    Error::bad(format!("{path}: {message}"))
}

/// Re-anchors an error of the operations' rules at `path`.
fn rule(path: &str, error: impl Into<Error>) -> Error {
    let error: Error = error.into();
    at(path, error.wire().message)
}

/// Reads and checks a seed file (YAML, or JSON, which YAML reads too).
pub fn parse_seed(text: &str) -> Result<Seed> {
    let raw: RawSeed = if text.trim().is_empty() {
        RawSeed::default()
    } else {
        let deserializer = serde_norway::Deserializer::from_str(text);
        serde_path_to_error::deserialize(deserializer).map_err(|error| {
            let path = error.path().to_string();
            let path = if path == "." { "(the file)".to_string() } else { path };
            at(&path, without_path(&path, &error.into_inner().to_string()))
        })?
    };
    check(raw)
}

/// The YAML parser's message without the path it starts with (its path stops at the entry that
/// holds an unknown field; the one in front of the message names the field itself).
fn without_path<'a>(path: &str, message: &'a str) -> &'a str {
    let ends = path.char_indices().filter(|(_, c)| *c == '.' || *c == '[').map(|(i, _)| i).chain([path.len()]);
    ends.filter_map(|end| message.strip_prefix(&path[..end]).and_then(|rest| rest.strip_prefix(": "))).next_back().unwrap_or(message)
}

/// Refuses a name listed twice (without case) in one list.
struct Unique<'a> {
    what: &'a str,
    seen: HashMap<String, String>,
}

impl<'a> Unique<'a> {
    fn new(what: &'a str) -> Self {
        Self { what, seen: HashMap::new() }
    }

    fn add(&mut self, path: &str, name: &str) -> Result<()> {
        if let Some(first) = self.seen.insert(name.to_ascii_lowercase(), path.to_string()) {
            return Err(at(path, format!("the {} '{name}' is listed twice (also at {first})", self.what)));
        }
        Ok(())
    }
}

fn check_key_type(path: &str, text: &str) -> Result<KeyType> {
    text.parse::<KeyType>().map_err(|e| rule(path, e))
}

fn check_curve(path: &str, text: &str) -> Result<Curve> {
    text.parse::<Curve>().map_err(|e| rule(path, e))
}

fn check_permissions(path: &str, kind: ObjectKind, list: &Option<Vec<String>>) -> Result<Option<Vec<String>>> {
    match list {
        None => Ok(None),
        Some(names) => parse_permissions(kind, names).map(Some).map_err(|e| rule(path, e)),
    }
}

fn check_tags(path: &str, tags: &Tags) -> Result<()> {
    names::check_tags(tags).map_err(|e| rule(path, e))
}

fn check(raw: RawSeed) -> Result<Seed> {
    let mut groups = Vec::new();
    let mut group_names = Unique::new("resource group");
    for (i, group) in raw.groups.into_iter().enumerate() {
        let path = format!("groups[{i}]");
        names::check_resource_group_name(&group.name).map_err(|e| rule(&format!("{path}.name"), e))?;
        group_names.add(&format!("{path}.name"), &group.name)?;
        let location = group.location.unwrap_or_else(|| DEFAULT_LOCATION.to_string());
        names::check_location(&location).map_err(|e| rule(&format!("{path}.location"), e))?;
        check_tags(&format!("{path}.tags"), &group.tags)?;
        groups.push(CreateGroup { name: group.name, location, tags: group.tags, subscription: None });
    }

    let mut applications = Vec::new();
    let mut application_names = Unique::new("application");
    for (i, application) in raw.applications.into_iter().enumerate() {
        let path = format!("applications[{i}].name");
        if application.name.trim().is_empty() || application.name.len() > 256 {
            return Err(at(&path, "an application name must be 1 to 256 characters"));
        }
        application_names.add(&path, &application.name)?;
        applications.push(application.name);
    }
    let application_index = |path: &str, name: &str| {
        applications
            .iter()
            .position(|a| a.eq_ignore_ascii_case(name))
            .ok_or_else(|| at(path, format!("no application named '{name}' in applications")))
    };

    let mut vaults: Vec<SeedVault> = Vec::new();
    let mut vault_names = Unique::new("vault");
    // What each vault holds, for role assignment scopes: (kind, lower-case name).
    let mut vault_objects: Vec<Vec<(&'static str, String)>> = Vec::new();
    for (v, vault) in raw.vaults.into_iter().enumerate() {
        let path = format!("vaults[{v}]");
        names::check_vault_name(&vault.name).map_err(|e| rule(&format!("{path}.name"), e))?;
        vault_names.add(&format!("{path}.name"), &vault.name)?;
        names::check_resource_group_name(&vault.resource_group).map_err(|e| rule(&format!("{path}.resourceGroup"), e))?;
        if let Some(location) = &vault.location {
            names::check_location(location).map_err(|e| rule(&format!("{path}.location"), e))?;
        }
        let sku = match &vault.sku {
            Some(text) => text.parse::<Sku>().map_err(|e| rule(&format!("{path}.sku"), e))?,
            None => Sku::Standard,
        };
        check_tags(&format!("{path}.tags"), &vault.tags)?;
        let mut request = CreateVault::new(vault.name.clone(), vault.resource_group.clone());
        request.location = vault.location.clone();
        request.sku = sku;
        request.rbac_authorization = vault.enable_rbac_authorization.unwrap_or(false);
        request.tags = vault.tags;

        // Secrets, keys and certificates share one name space per kind; a certificate also
        // takes its name among keys and secrets (its linked key and secret).
        let mut secret_names = Unique::new("secret");
        let mut key_names = Unique::new("key");
        let mut certificate_names = Unique::new("certificate");
        let mut objects = Vec::new();

        let mut issuers = Vec::new();
        let mut issuer_names = Unique::new("issuer");
        for (i, issuer) in vault.issuers.into_iter().enumerate() {
            let at_issuer = format!("{path}.issuers[{i}]");
            if issuer.name.eq_ignore_ascii_case("Self") || issuer.name.eq_ignore_ascii_case("Unknown") {
                return Err(at(
                    &format!("{at_issuer}.name"),
                    format!("'{}' is a built-in issuer name and cannot be configured", issuer.name),
                ));
            }
            names::check_object_name(ObjectKind::Certificate, &issuer.name).map_err(|_| {
                at(&format!("{at_issuer}.name"), format!("the issuer name '{}' is invalid: use letters, digits and hyphens", issuer.name))
            })?;
            issuer_names.add(&format!("{at_issuer}.name"), &issuer.name)?;
            let provider = issuer.provider.unwrap_or_else(|| PRACTICE_PROVIDER.to_string());
            if !provider.eq_ignore_ascii_case(PRACTICE_PROVIDER) {
                return Err(at(
                    &format!("{at_issuer}.provider"),
                    format!(
                        "provider '{provider}' cannot issue offline; a seeded issuer is the practice CA, provider '{PRACTICE_PROVIDER}'"
                    ),
                ));
            }
            issuers.push((at_issuer, issuer.name));
        }

        let mut secrets = Vec::new();
        for (i, secret) in vault.secrets.into_iter().enumerate() {
            let at_secret = format!("{path}.secrets[{i}]");
            names::check_object_name(ObjectKind::Secret, &secret.name).map_err(|e| rule(&format!("{at_secret}.name"), e))?;
            secret_names.add(&format!("{at_secret}.name"), &secret.name)?;
            if secret.value.len() > MAX_SECRET_BYTES {
                return Err(at(&format!("{at_secret}.value"), format!("a secret's value is at most {MAX_SECRET_BYTES} bytes")));
            }
            check_tags(&format!("{at_secret}.tags"), &secret.tags)?;
            objects.push(("secrets", secret.name.to_ascii_lowercase()));
            let request = SetSecret {
                name: secret.name,
                value: secret.value,
                content_type: secret.content_type,
                enabled: secret.enabled.unwrap_or(true),
                not_before: None,
                expires: None,
                tags: secret.tags,
            };
            secrets.push((at_secret, request));
        }

        let mut keys = Vec::new();
        for (i, key) in vault.keys.into_iter().enumerate() {
            let at_key = format!("{path}.keys[{i}]");
            names::check_object_name(ObjectKind::Key, &key.name).map_err(|e| rule(&format!("{at_key}.name"), e))?;
            key_names.add(&format!("{at_key}.name"), &key.name)?;
            let kty = check_key_type(&format!("{at_key}.kty"), &key.kty)?;
            if kty.is_hsm() && sku != Sku::Premium {
                return Err(at(&format!("{at_key}.kty"), format!("{kty} keys need a premium vault; set {path}.sku to premium")));
            }
            let mut request = CreateKey::new(key.name.clone(), kty);
            if kty.is_rsa() {
                if key.curve.is_some() {
                    return Err(at(&format!("{at_key}.curve"), "a curve applies to EC keys; RSA keys take a size"));
                }
                let size = key.size.unwrap_or(KeySpec::DEFAULT_RSA_SIZE);
                KeySpec::rsa(size).map_err(|e| rule(&format!("{at_key}.size"), e))?;
                request.size = Some(size);
            } else {
                if key.size.is_some() {
                    return Err(at(&format!("{at_key}.size"), "a size applies to RSA keys; EC keys take a curve"));
                }
                request.curve = key.curve.as_deref().map(|c| check_curve(&format!("{at_key}.curve"), c)).transpose()?;
            }
            if let Some(ops) = &key.key_ops {
                let mut parsed = Vec::new();
                for (o, op) in ops.iter().enumerate() {
                    let at_op = format!("{at_key}.keyOps[{o}]");
                    let op = op.parse::<KeyOperation>().map_err(|e| rule(&at_op, e))?;
                    if !op.applies_to(kty) {
                        return Err(at(&at_op, format!("key operation '{op}' is not possible with a {kty} key")));
                    }
                    parsed.push(op);
                }
                request.key_ops = Some(parsed);
            }
            request.enabled = key.enabled.unwrap_or(true);
            check_tags(&format!("{at_key}.tags"), &key.tags)?;
            request.tags = key.tags;
            objects.push(("keys", key.name.to_ascii_lowercase()));
            keys.push((at_key, request));
        }

        let mut certificates = Vec::new();
        for (i, certificate) in vault.certificates.into_iter().enumerate() {
            let at_cert = format!("{path}.certificates[{i}]");
            names::check_object_name(ObjectKind::Certificate, &certificate.name).map_err(|e| rule(&format!("{at_cert}.name"), e))?;
            certificate_names.add(&format!("{at_cert}.name"), &certificate.name)?;
            // The certificate's linked key and secret carry its name.
            secret_names.add(&format!("{at_cert}.name"), &certificate.name)?;
            key_names.add(&format!("{at_cert}.name"), &certificate.name)?;
            let issuer = certificate.issuer.clone().unwrap_or_else(|| "Self".to_string());
            let known = issuer.eq_ignore_ascii_case("Self") || issuers.iter().any(|(_, name)| name.eq_ignore_ascii_case(&issuer));
            if !known {
                return Err(at(
                    &format!("{at_cert}.issuer"),
                    format!(
                        "issuer '{issuer}' is neither Self nor an issuer listed in {path}.issuers (a seeded certificate must be issued at once)"
                    ),
                ));
            }
            let policy = certificate_policy(&at_cert, &certificate, &issuer)?;
            if policy.key_type().is_ok_and(|k| k.is_hsm()) && sku != Sku::Premium {
                return Err(at(&format!("{at_cert}.keyType"), format!("HSM keys need a premium vault; set {path}.sku to premium")));
            }
            check_tags(&format!("{at_cert}.tags"), &certificate.tags)?;
            objects.push(("certificates", certificate.name.to_ascii_lowercase()));
            certificates.push(SeedCertificate {
                path: at_cert,
                name: certificate.name,
                policy,
                enabled: certificate.enabled.unwrap_or(true),
                tags: certificate.tags,
            });
        }

        let mut access_policies = Vec::new();
        let mut grantees: Vec<(Grantee, String)> = Vec::new();
        for (i, policy) in vault.access_policies.into_iter().enumerate() {
            let at_policy = format!("{path}.accessPolicies[{i}]");
            let grantee = match (&policy.application, policy.owner) {
                (Some(name), None | Some(false)) => Grantee::Application(application_index(&format!("{at_policy}.application"), name)?),
                (None, Some(true)) => Grantee::Owner,
                (Some(_), Some(true)) => return Err(at(&at_policy, "give either application or owner: true, not both")),
                (None, _) => return Err(at(&at_policy, "say who the policy is for: application: <name> or owner: true")),
            };
            if let Some((_, first)) = grantees.iter().find(|(g, _)| *g == grantee) {
                return Err(at(&at_policy, format!("this principal already has a policy in this vault (at {first})")));
            }
            grantees.push((grantee.clone(), at_policy.clone()));
            let change = PolicyChange {
                keys: check_permissions(&format!("{at_policy}.keys"), ObjectKind::Key, &policy.keys)?,
                secrets: check_permissions(&format!("{at_policy}.secrets"), ObjectKind::Secret, &policy.secrets)?,
                certificates: check_permissions(&format!("{at_policy}.certificates"), ObjectKind::Certificate, &policy.certificates)?,
            };
            if change.keys.is_none() && change.secrets.is_none() && change.certificates.is_none() {
                return Err(at(&at_policy, "give at least one of secrets, keys and certificates"));
            }
            access_policies.push(SeedAccessPolicy { path: at_policy, grantee, change });
        }

        vault_objects.push(objects);
        vaults.push(SeedVault { path, request, issuers, secrets, keys, certificates, access_policies });
    }

    let roles = crate::roles::built_in_roles();
    let mut role_assignments = Vec::new();
    let mut assigned = Unique::new("role assignment");
    for (i, assignment) in raw.role_assignments.into_iter().enumerate() {
        let path = format!("roleAssignments[{i}]");
        let Some(role) = roles.iter().find(|r| r.name.eq_ignore_ascii_case(&assignment.role)) else {
            let known: Vec<&str> = roles.iter().map(|r| r.name.as_str()).collect();
            return Err(at(
                &format!("{path}.role"),
                format!("no built-in role named '{}'; known roles: {}", assignment.role, known.join(", ")),
            ));
        };
        let application = application_index(&format!("{path}.application"), &assignment.application)?;
        let scope_path = format!("{path}.scope");
        let mut parts = assignment.scope.trim_matches('/').split('/');
        let vault_name = parts.next().unwrap_or_default();
        let vault = vaults.iter().position(|v| v.request.name.eq_ignore_ascii_case(vault_name)).ok_or_else(|| {
            at(
                &scope_path,
                format!("no vault named '{vault_name}' in vaults (a scope is <vault> or <vault>/secrets|keys|certificates/<name>)"),
            )
        })?;
        let below = match (parts.next(), parts.next(), parts.next()) {
            (None, _, _) => None,
            (Some(kind), Some(name), None) if ["secrets", "keys", "certificates"].contains(&kind) => {
                // A certificate's linked key and secret can be scopes too.
                let held = vault_objects[vault]
                    .iter()
                    .any(|(k, n)| (*k == kind || (*k == "certificates" && kind != "certificates")) && n.eq_ignore_ascii_case(name));
                if !held {
                    return Err(at(&scope_path, format!("vault '{vault_name}' has no {kind} entry named '{name}' in this seed")));
                }
                Some(format!("{kind}/{name}"))
            }
            _ => {
                return Err(at(
                    &scope_path,
                    format!("'{}' is not a scope: use <vault> or <vault>/secrets|keys|certificates/<name>", assignment.scope),
                ));
            }
        };
        assigned.add(&path, &format!("{}|{}|{}", role.name, application, assignment.scope.to_ascii_lowercase()))?;
        role_assignments.push(SeedRoleAssignment { path, role: role.name.clone(), application, vault, below });
    }

    Ok(Seed { groups, applications, vaults, role_assignments })
}

/// The policy a seeded certificate asks for: Key Vault's default policy (an exportable RSA 2048
/// key, PKCS #12, 12 months) with the seed's subject, names, issuer, validity and key.
fn certificate_policy(path: &str, certificate: &RawCertificate, issuer: &str) -> Result<CertificatePolicy> {
    let mut policy = CertificatePolicy::azure_default();
    if let Some(issuer_parameters) = policy.issuer.as_mut() {
        issuer_parameters.name = Some(issuer.to_string());
    }
    if let Some(x509) = policy.x509_props.as_mut() {
        x509.subject = certificate.subject.clone();
        if let Some(dns_names) = &certificate.dns_names {
            x509.sans =
                Some(vaultmort_certs::policy::SubjectAlternativeNames { dns_names: Some(dns_names.clone()), emails: None, upns: None });
        }
        if let Some(months) = certificate.validity_months {
            x509.validity_months = Some(i64::from(months));
        }
    }
    if let Some(key_props) = policy.key_props.as_mut() {
        if let Some(kty) = &certificate.key_type {
            let parsed = check_key_type(&format!("{path}.keyType"), kty)?;
            key_props.kty = Some(parsed.as_str().to_string());
            if !parsed.is_rsa() {
                key_props.key_size = None;
                key_props.curve = Some(Curve::P256.as_str().to_string());
            }
        }
        if let Some(size) = certificate.key_size {
            key_props.key_size = Some(i64::from(size));
        }
        if let Some(curve) = &certificate.curve {
            key_props.curve = Some(check_curve(&format!("{path}.curve"), curve)?.as_str().to_string());
        }
    }
    if let (Some(content_type), Some(secret_props)) = (&certificate.content_type, policy.secret_props.as_mut()) {
        secret_props.content_type = Some(content_type.clone());
    }
    policy.validate().map_err(|e| match e {
        vaultmort_certs::CertError::InvalidPolicy { field, message } => at(&format!("{path}.{}", seed_field(&field)), message),
        other => rule(path, other),
    })?;
    Ok(policy)
}

/// The seed's name for a certificate policy field the policy check names.
fn seed_field(policy_field: &str) -> &'static str {
    match policy_field {
        f if f.starts_with("x509_props.subject") => "subject",
        f if f.starts_with("x509_props.sans.dns_names") => "dnsNames",
        f if f.starts_with("x509_props.validity_months") => "validityMonths",
        "key_props.kty" => "keyType",
        "key_props.key_size" => "keySize",
        "key_props.crv" | "key_props.curve" => "curve",
        f if f.starts_with("secret_props") => "contentType",
        f if f.starts_with("issuer") => "issuer",
        _ => "(policy)",
    }
}

// ---------------------------------------------------------------------------------------------
// Applying.

impl Vaultmort {
    /// Makes what a checked seed lists, as `ctx` (the CLI passes the local owner), through the
    /// same operations the doors call. A failure names the entry it happened at; what was made
    /// before it stays (the CLI throws the whole home away then).
    pub async fn apply_seed(&self, ctx: &RequestContext, seed: Seed) -> Result<SeedReport> {
        let mut made_groups: Vec<String> = Vec::new();
        for (i, group) in seed.groups.into_iter().enumerate() {
            made_groups.push(group.name.to_ascii_lowercase());
            self.create_group(ctx, group).await.map_err(|e| rule(&format!("groups[{i}]"), e))?;
        }

        let mut applications = Vec::new();
        for (i, name) in seed.applications.into_iter().enumerate() {
            let created = self
                .create_principal(ctx, crate::directory::NewPrincipal::ServicePrincipal { display_name: name.clone() })
                .await
                .map_err(|e| rule(&format!("applications[{i}]"), e))?;
            let path = format!("applications[{i}]");
            let client_id = created.object.app_id.clone().ok_or_else(|| at(&path, "the service principal was made without an app id"))?;
            let client_secret = created.client_secret.ok_or_else(|| at(&path, "the service principal was made without a client secret"))?;
            applications.push(SeededApplication { name, client_id, object_id: created.object.object_id, client_secret });
        }
        let principal = |grantee: &Grantee| match grantee {
            Grantee::Owner => crate::context::Principal::local_owner().object_id,
            Grantee::Application(index) => applications[*index].object_id.clone(),
        };

        let mut vault_ids = Vec::new();
        let mut vault_names = Vec::new();
        for vault in seed.vaults {
            let SeedVault { path, request, issuers, secrets, keys, certificates, access_policies } = vault;
            let vault_name = request.name.clone();
            if !made_groups.contains(&request.resource_group.to_ascii_lowercase()) {
                let location = request.location.clone().unwrap_or_else(|| DEFAULT_LOCATION.to_string());
                let group = CreateGroup { name: request.resource_group.clone(), location, tags: Tags::new(), subscription: None };
                made_groups.push(request.resource_group.to_ascii_lowercase());
                self.create_group(ctx, group).await.map_err(|e| rule(&format!("{path}.resourceGroup"), e))?;
            }
            let rbac = request.rbac_authorization;
            let made = self.create_vault(ctx, request).await.map_err(|e| rule(&path, e))?;
            if rbac {
                self.create_role_assignment(ctx, &ctx.principal.object_id, RBAC_SEED_ROLE, &made.resource_id())
                    .await
                    .map_err(|e| rule(&format!("{path}.enableRbacAuthorization"), e))?;
            }
            for (issuer_path, name) in issuers {
                let changes = IssuerChanges { provider: Some(PRACTICE_PROVIDER.to_string()), ..IssuerChanges::default() };
                self.set_certificate_issuer(ctx, &vault_name, &name, changes).await.map_err(|e| rule(&issuer_path, e))?;
            }
            for (secret_path, request) in secrets {
                self.set_secret(ctx, &vault_name, request).await.map_err(|e| rule(&secret_path, e))?;
            }
            for (key_path, request) in keys {
                self.create_key(ctx, &vault_name, request).await.map_err(|e| rule(&key_path, e))?;
            }
            for certificate in certificates {
                let SeedCertificate { path: certificate_path, name, policy, enabled, tags } = certificate;
                self.create_certificate(ctx, &vault_name, &name, Some(policy), enabled, tags)
                    .await
                    .map_err(|e| rule(&certificate_path, e))?;
            }
            for policy in access_policies {
                self.set_access_policy(ctx, &vault_name, &principal(&policy.grantee), policy.change)
                    .await
                    .map_err(|e| rule(&policy.path, e))?;
            }
            vault_ids.push(made.resource_id());
            vault_names.push(vault_name);
        }

        for assignment in seed.role_assignments {
            let scope = match &assignment.below {
                Some(below) => format!("{}/{below}", vault_ids[assignment.vault]),
                None => vault_ids[assignment.vault].clone(),
            };
            self.create_role_assignment(ctx, &applications[assignment.application].object_id, &assignment.role, &scope)
                .await
                .map_err(|e| rule(&assignment.path, e))?;
        }

        Ok(SeedReport { vaults: vault_names, applications })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refusal(text: &str) -> String {
        let error = parse_seed(text).expect_err("this seed must be refused");
        assert_eq!(error.code(), "BadParameter", "a wrong seed is the caller's mistake: {error}");
        error.wire().message
    }

    const FULL: &str = r#"
groups: [{name: rg0, location: northeurope}]
applications: [{name: ci-app}, {name: reader}]
vaults:
  - name: seed-vault
    resourceGroup: rg1
    sku: standard
    secrets: [{name: db-conn, value: "Server=x", contentType: text/plain, tags: {env: test}}]
    keys: [{name: signer, kty: RSA, size: 2048}, {name: ec, kty: EC, curve: P-384, keyOps: [sign, verify]}]
    issuers: [{name: practice}]
    certificates:
      - {name: site, subject: "CN=site.example", issuer: Self}
      - {name: leaf, subject: "CN=leaf.example", issuer: practice, dnsNames: [leaf.example], validityMonths: 6, keyType: EC}
    accessPolicies:
      - {application: ci-app, secrets: [get, list], keys: [get, sign], certificates: [get]}
      - {owner: true, secrets: [all]}
roleAssignments:
  - {role: Key Vault Secrets User, application: reader, scope: seed-vault/secrets/db-conn}
  - {role: Key Vault Reader, application: reader, scope: seed-vault}
"#;

    #[test]
    fn a_seed_with_every_kind_is_read() {
        let seed = parse_seed(FULL).expect("the full example is a valid seed");
        assert_eq!(seed.groups.len(), 1, "one group listed");
        assert_eq!(seed.applications, vec!["ci-app", "reader"], "applications in order");
        assert_eq!(seed.vault_names().collect::<Vec<_>>(), vec!["seed-vault"], "one vault");
        let vault = &seed.vaults[0];
        assert_eq!((vault.secrets.len(), vault.keys.len(), vault.certificates.len(), vault.access_policies.len()), (1, 2, 2, 2));
        assert_eq!(vault.access_policies[1].grantee, Grantee::Owner, "owner: true is the local owner");
        assert_eq!(vault.access_policies[1].change.secrets.as_ref().map(Vec::len), Some(8), "all expands to every secret permission");
        assert_eq!(seed.role_assignments[0].below.as_deref(), Some("secrets/db-conn"), "an object scope below the vault");
        assert_eq!(seed.object_count(), 1 + 2 + 2 + 1 + 1 + 1 + 2 + 2 + 2, "every listed entry counts");
    }

    #[test]
    fn json_is_read_by_the_same_parser() {
        let seed = parse_seed(r#"{"vaults": [{"name": "json-vault", "resourceGroup": "rg", "secrets": [{"name": "a", "value": "b"}]}]}"#)
            .expect("JSON is YAML");
        assert_eq!(seed.vaults[0].secrets.len(), 1, "the secret is read");
    }

    #[test]
    fn an_empty_file_is_an_empty_seed() {
        assert_eq!(parse_seed("  \n").expect("empty").object_count(), 0, "nothing to make");
    }

    #[test]
    fn an_unknown_field_is_refused_with_its_path() {
        let message = refusal("vaults:\n  - name: v1-vault\n    resourceGroup: rg\n    secrets: [{name: a, value: b, colour: red}]\n");
        assert!(message.starts_with("vaults[0].secrets[0]"), "the path of the entry with the unknown field leads: {message}");
        assert!(message.contains("colour"), "the unknown field is named: {message}");
        assert_eq!(message.matches("vaults[0]").count(), 1, "the path is said once: {message}");
    }

    #[test]
    fn an_unknown_top_level_field_is_refused() {
        let message = refusal("vault: []\n");
        assert!(message.contains("vault"), "the unknown field is named: {message}");
    }

    #[test]
    fn a_wrong_type_is_refused_with_its_path() {
        let message = refusal("vaults:\n  - name: v1-vault\n    resourceGroup: rg\n    keys: [{name: k, kty: RSA, size: big}]\n");
        assert!(message.starts_with("vaults[0].keys[0].size"), "the path of the wrong value leads: {message}");
    }

    #[test]
    fn a_bad_vault_name_is_refused_with_its_path() {
        let message = refusal("vaults: [{name: 'bad_name', resourceGroup: rg}]\n");
        assert!(message.starts_with("vaults[0].name: "), "path first: {message}");
        assert!(message.contains("bad_name"), "the name is shown: {message}");
    }

    #[test]
    fn a_policy_naming_an_unknown_application_is_refused() {
        let message = refusal(
            "applications: [{name: ci-app}]\nvaults:\n  - name: v1-vault\n    resourceGroup: rg\n    accessPolicies: [{owner: true, secrets: [get]}, {application: x, secrets: [get]}]\n",
        );
        assert_eq!(message, "vaults[0].accessPolicies[1].application: no application named 'x' in applications", "the exact message");
    }

    #[test]
    fn duplicate_names_are_refused() {
        let message = refusal("applications: [{name: a}, {name: A}]\n");
        assert!(message.starts_with("applications[1].name: "), "the second entry is the duplicate: {message}");
        assert!(message.contains("applications[0].name"), "the first is named too: {message}");
        let message = refusal(
            "vaults: [{name: v1-vault, resourceGroup: rg, secrets: [{name: s, value: a}], certificates: [{name: s, subject: CN=s}]}]\n",
        );
        assert!(message.starts_with("vaults[0].certificates[0].name: "), "a certificate's linked secret takes its name: {message}");
    }

    #[test]
    fn a_bad_permission_is_refused() {
        let message = refusal(
            "applications: [{name: a}]\nvaults: [{name: v1-vault, resourceGroup: rg, accessPolicies: [{application: a, keys: [fly]}]}]\n",
        );
        assert!(message.starts_with("vaults[0].accessPolicies[0].keys: "), "path first: {message}");
        assert!(message.contains("fly"), "the permission is named: {message}");
    }

    #[test]
    fn key_shapes_are_checked() {
        let base = "vaults: [{name: v1-vault, resourceGroup: rg, keys: [";
        for (key, path) in [
            ("{name: k, kty: RSA, size: 1000}", "vaults[0].keys[0].size"),
            ("{name: k, kty: EC, size: 2048}", "vaults[0].keys[0].size"),
            ("{name: k, kty: EC, curve: P-999}", "vaults[0].keys[0].curve"),
            ("{name: k, kty: oct}", "vaults[0].keys[0].kty"),
            ("{name: k, kty: RSA-HSM}", "vaults[0].keys[0].kty"),
            ("{name: k, kty: EC, keyOps: [encrypt]}", "vaults[0].keys[0].keyOps[0]"),
        ] {
            let message = refusal(&format!("{base}{key}]}}]\n"));
            assert!(message.starts_with(&format!("{path}: ")), "{key} is refused at {path}: {message}");
        }
    }

    #[test]
    fn certificate_policies_are_checked() {
        let base = "vaults: [{name: v1-vault, resourceGroup: rg, certificates: [";
        for (certificate, path) in [
            ("{name: c, subject: CN=c, issuer: Unknown}", "vaults[0].certificates[0].issuer"),
            ("{name: c, subject: CN=c, issuer: other}", "vaults[0].certificates[0].issuer"),
            ("{name: c, subject: CN=c, validityMonths: 0}", "vaults[0].certificates[0].validityMonths"),
            ("{name: c}", "vaults[0].certificates[0].subject"),
            ("{name: c, subject: CN=c, keyType: RSA, keySize: 1000}", "vaults[0].certificates[0].keySize"),
        ] {
            let message = refusal(&format!("{base}{certificate}]}}]\n"));
            assert!(message.starts_with(&format!("{path}: ")), "{certificate} is refused at {path}: {message}");
        }
    }

    #[test]
    fn role_assignments_are_checked() {
        let head = "applications: [{name: a}]\nvaults: [{name: v1-vault, resourceGroup: rg, secrets: [{name: s, value: x}]}]\n";
        for (assignment, path) in [
            ("{role: Wizard, application: a, scope: v1-vault}", "roleAssignments[0].role"),
            ("{role: Key Vault Reader, application: b, scope: v1-vault}", "roleAssignments[0].application"),
            ("{role: Key Vault Reader, application: a, scope: nowhere}", "roleAssignments[0].scope"),
            ("{role: Key Vault Reader, application: a, scope: v1-vault/secrets/missing}", "roleAssignments[0].scope"),
            ("{role: Key Vault Reader, application: a, scope: v1-vault/blobs/s}", "roleAssignments[0].scope"),
        ] {
            let message = refusal(&format!("{head}roleAssignments: [{assignment}]\n"));
            assert!(message.starts_with(&format!("{path}: ")), "{assignment} is refused at {path}: {message}");
        }
    }

    #[test]
    fn a_secret_value_is_never_in_a_refusal() {
        let message = refusal("vaults: [{name: v1-vault, resourceGroup: rg, secrets: [{name: 'bad name', value: hunter2-value}]}]\n");
        assert!(!message.contains("hunter2"), "the value stays out of the message: {message}");
    }
}
