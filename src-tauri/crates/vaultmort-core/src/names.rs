//! Name and tag rules, checked once where raw input enters the core.

use std::collections::BTreeMap;

use crate::{Error, Result};

/// Checks a vault name: 3 to 24 characters, letters, digits and hyphens, starting with a letter,
/// ending with a letter or digit, with no two hyphens in a row.
pub fn check_vault_name(name: &str) -> Result<()> {
    let problem = if !(3..=24).contains(&name.len()) {
        Some("must be 3 to 24 characters long")
    } else if !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
        Some("may contain only letters, digits and hyphens")
    } else if !name.starts_with(|c: char| c.is_ascii_alphabetic()) {
        Some("must start with a letter")
    } else if name.ends_with('-') {
        Some("must end with a letter or digit")
    } else if name.contains("--") {
        Some("must not contain two hyphens in a row")
    } else {
        None
    };
    match problem {
        Some(why) => Err(Error::bad(format!("the vault name '{name}' is invalid: it {why}"))),
        None => Ok(()),
    }
}

/// Checks a key, secret or certificate name: 1 to 127 letters, digits and hyphens.
pub fn check_object_name(kind: crate::ObjectKind, name: &str) -> Result<()> {
    if name.is_empty() || name.len() > 127 || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
        return Err(Error::bad(format!("the {kind} name '{name}' is invalid: use 1 to 127 letters, digits and hyphens")));
    }
    Ok(())
}

/// Checks a resource group name: 1 to 90 characters of letters, digits, `-`, `_`, `.`, `(`, `)`,
/// not ending in a period.
pub fn check_resource_group_name(name: &str) -> Result<()> {
    let allowed = |c: char| c.is_alphanumeric() || "-_.()".contains(c);
    if name.is_empty() || name.len() > 90 || !name.chars().all(allowed) || name.ends_with('.') {
        return Err(Error::bad(format!(
            "the resource group name '{name}' is invalid: use 1 to 90 letters, digits, '-', '_', '.', '(' or ')', not ending in '.'"
        )));
    }
    Ok(())
}

/// Checks a location name (letters and digits, as `westeurope`).
pub fn check_location(location: &str) -> Result<()> {
    if location.is_empty() || location.len() > 64 || !location.chars().all(|c| c.is_ascii_alphanumeric()) {
        return Err(Error::bad(format!("the location '{location}' is invalid: use a region name such as westeurope")));
    }
    Ok(())
}

/// Checks tags: at most 15, names up to 512 characters, values up to 256.
pub fn check_tags(tags: &BTreeMap<String, String>) -> Result<()> {
    if tags.len() > 15 {
        return Err(Error::bad(format!("{} tags were given; at most 15 are allowed", tags.len())));
    }
    for (name, value) in tags {
        if name.is_empty() || name.len() > 512 {
            return Err(Error::bad(format!("the tag name '{name}' must be 1 to 512 characters")));
        }
        if value.len() > 256 {
            return Err(Error::bad(format!("the value of tag '{name}' is longer than 256 characters")));
        }
    }
    Ok(())
}

/// A new object version id: 32 lowercase hex digits, as Key Vault makes them.
pub fn new_version_id() -> String {
    uuid::Uuid::new_v4().simple().to_string()
}

/// Checks a version id given by a caller.
pub fn check_version(version: &str) -> Result<()> {
    if version.len() != 32 || !version.chars().all(|c| c.is_ascii_hexdigit()) {
        return Err(Error::bad(format!("'{version}' is not a version id (32 hexadecimal digits)")));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vault_names_follow_azure_rules() {
        for good in ["abc", "a-b-c", "Vault1", "a23456789012345678901234"] {
            assert!(check_vault_name(good).is_ok(), "'{good}' is a valid Key Vault name");
        }
        let cases = [
            ("ab", "3 to 24"),
            ("a234567890123456789012345", "3 to 24"),
            ("1abc", "start with a letter"),
            ("abc-", "end with a letter or digit"),
            ("a--b", "two hyphens"),
            ("a_bc", "letters, digits and hyphens"),
        ];
        for (bad, why) in cases {
            let err = check_vault_name(bad).expect_err(bad);
            assert_eq!(err.code(), "BadParameter");
            assert!(err.to_string().contains(why), "the message for '{bad}' should say it must {why}: {err}");
        }
    }

    #[test]
    fn object_names_and_versions() {
        assert!(check_object_name(crate::ObjectKind::Key, "my-key-1").is_ok());
        assert!(check_object_name(crate::ObjectKind::Key, &"k".repeat(127)).is_ok(), "127 characters is the limit");
        assert!(check_object_name(crate::ObjectKind::Key, &"k".repeat(128)).is_err(), "128 characters is over the limit");
        assert!(check_object_name(crate::ObjectKind::Secret, "under_score").is_err(), "underscores are not allowed");
        assert!(check_version(&new_version_id()).is_ok(), "generated versions are 32 hex digits");
        assert!(check_version("xyz").is_err());
    }

    #[test]
    fn at_most_fifteen_tags() {
        let tags: BTreeMap<String, String> = (0..16).map(|i| (format!("t{i}"), "v".to_string())).collect();
        assert!(check_tags(&tags).is_err(), "Azure allows 15 tags");
        let fifteen: BTreeMap<String, String> = tags.into_iter().take(15).collect();
        assert!(check_tags(&fifteen).is_ok());
    }
}
