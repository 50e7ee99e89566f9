//! Turns az-style flag values into typed values: dates, tags, booleans, ids, base64.

use chrono::{DateTime, NaiveDate, Utc};
use vaultmort_core::Error;
use vaultmort_core::model::Tags;

use crate::args::{ObjectName, ObjectTarget};

/// Parses RFC 3339 (`2027-01-31T12:00:00Z`) or a plain date (`2027-01-31`, midnight UTC).
pub fn date(flag: &str, text: &str) -> Result<DateTime<Utc>, Error> {
    if let Ok(at) = DateTime::parse_from_rfc3339(text) {
        return Ok(at.with_timezone(&Utc));
    }
    if let Ok(day) = NaiveDate::parse_from_str(text, "%Y-%m-%d")
        && let Some(midnight) = day.and_hms_opt(0, 0, 0)
    {
        return Ok(midnight.and_utc());
    }
    Err(Error::bad(format!("--{flag} '{text}' is not a date: use RFC 3339 (2027-01-31T12:00:00Z) or YYYY-MM-DD")))
}

/// An optional date flag.
pub fn optional_date(flag: &str, text: &Option<String>) -> Result<Option<DateTime<Utc>>, Error> {
    text.as_deref().map(|t| date(flag, t)).transpose()
}

/// Parses `key=value` pairs (a bare `key` gets an empty value, as in az).
pub fn tags(pairs: &[String]) -> Result<Tags, Error> {
    let mut out = Tags::new();
    for pair in pairs.iter().filter(|p| !p.is_empty()) {
        let (key, value) = pair.split_once('=').unwrap_or((pair.as_str(), ""));
        if key.is_empty() {
            return Err(Error::bad(format!("tag '{pair}' has no name; use key=value")));
        }
        out.insert(key.to_string(), value.to_string());
    }
    Ok(out)
}

/// Optional tags flag.
pub fn optional_tags(pairs: &Option<Vec<String>>) -> Result<Option<Tags>, Error> {
    pairs.as_deref().map(tags).transpose()
}

/// Decodes a base64 flag value (standard or URL-safe, padding optional).
pub fn base64(flag: &str, text: &str) -> Result<Vec<u8>, Error> {
    vaultmort_crypto::jwk::b64url::decode(&text.replace('+', "-").replace('/', "_"))
        .map_err(|_| Error::bad(format!("--{flag} is not valid base64")))
}

/// Vault, name and version of an object from `--vault-name/--name/--version` or `--id`.
pub struct Target {
    /// Vault name.
    pub vault: String,
    /// Object name.
    pub name: String,
    /// Version.
    pub version: Option<String>,
}

/// Splits an id URL `https://<vault>.<host>/<collection>/<name>[/<version>]`.
pub fn id(text: &str, collection: &str) -> Result<Target, Error> {
    let bad =
        || Error::bad(format!("--id '{text}' is not a {collection} id such as https://myvault.localhost:8443/{collection}/name/version"));
    let rest = text.strip_prefix("https://").ok_or_else(bad)?;
    let (host, path) = rest.split_once('/').ok_or_else(bad)?;
    let vault = host.split('.').next().filter(|v| !v.is_empty()).ok_or_else(bad)?;
    let mut parts = path.trim_end_matches('/').split('/');
    if parts.next() != Some(collection) {
        return Err(bad());
    }
    let name = parts.next().filter(|n| !n.is_empty()).ok_or_else(bad)?;
    let version = parts.next().map(str::to_string);
    if parts.next().is_some() {
        return Err(bad());
    }
    Ok(Target { vault: vault.to_string(), name: name.to_string(), version })
}

impl ObjectTarget {
    /// The target, from flags or `--id`.
    pub fn resolve(&self, collection: &str) -> Result<Target, Error> {
        match (&self.id, &self.vault_name, &self.name) {
            (Some(url), _, _) => id(url, collection),
            (None, Some(vault), Some(name)) => Ok(Target { vault: vault.clone(), name: name.clone(), version: self.version.clone() }),
            _ => Err(Error::bad("give --vault-name and --name, or --id")),
        }
    }
}

impl ObjectName {
    /// The target, from flags or `--id` (a version in the id is refused).
    pub fn resolve(&self, collection: &str) -> Result<Target, Error> {
        let target = match (&self.id, &self.vault_name, &self.name) {
            (Some(url), _, _) => id(url, collection)?,
            (None, Some(vault), Some(name)) => Target { vault: vault.clone(), name: name.clone(), version: None },
            _ => return Err(Error::bad("give --vault-name and --name, or --id")),
        };
        if target.version.is_some() {
            return Err(Error::bad("this command works on the whole object; give an id without a version"));
        }
        Ok(target)
    }
}
