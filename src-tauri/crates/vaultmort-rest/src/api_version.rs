//! The `api-version` every data-plane request names, parsed once into an [`ApiVersion`].
//!
//! Key Vault's versions come in two shapes, and both are accepted by shape rather than from a
//! list, because strict lists broke other emulators whenever an SDK changed its default:
//!
//! - numbered: `7.0` to `7.6` (numbering ended at 7.6; the versions after it are dated), with an
//!   optional `-preview` or `-preview.N`, as the SDKs' previews send (`7.5-preview.1`);
//! - dated: `YYYY-MM-DD`, a real calendar date from 2016 on (Key Vault's `2016-10-01` up to
//!   `2025-07-01`, `2026-04-01` and any later one), with an optional `-preview` or `-preview.N`.
//!
//! Anything else (`garbage`, `1.0`, empty, a 10,000-digit number) is refused with Key Vault's
//! own 400 `BadParameter` wording, naming the version (shortened when long). Left out: which
//! version changes which behaviour; every accepted version is served alike.

use std::fmt;
use std::str::FromStr;

use chrono::{Datelike, NaiveDate};

use crate::error::ApiError;

/// The numbered minors Key Vault released under major version 7.
const NUMBERED_MINORS: std::ops::RangeInclusive<u8> = 0..=6;
/// The first year a dated Key Vault version can carry.
const FIRST_DATED_YEAR: i32 = 2016;
/// The newest version, named in the refusal as Key Vault does.
pub const LATEST: &str = "2025-07-01";
/// Longer values are refused before any parsing (`2025-07-01-preview.99` has 21 characters).
const MAX_LENGTH: usize = 32;
/// How much of a refused value the message repeats.
const SHOWN_IN_MESSAGE: usize = 40;

/// A Key Vault API version the server accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ApiVersion {
    release: Release,
    preview: Option<Preview>,
}

/// The version before any preview suffix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Release {
    /// `7.<minor>`.
    Numbered { minor: u8 },
    /// `YYYY-MM-DD`.
    Dated(NaiveDate),
}

/// `-preview` (`None`) or `-preview.N` (`Some(N)`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Preview(Option<u8>);

/// A value that is no Key Vault API version.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("The specified version ({shown}) is not recognized. Consider using the latest supported version ({LATEST}).")]
pub struct UnknownApiVersion {
    /// The refused value, shortened to its first characters when long.
    shown: String,
}

impl UnknownApiVersion {
    fn of(text: &str) -> Self {
        let mut shown: String = text.chars().take(SHOWN_IN_MESSAGE).collect();
        if shown.len() < text.len() {
            shown.push_str("...");
        }
        Self { shown }
    }
}

impl From<UnknownApiVersion> for ApiError {
    fn from(e: UnknownApiVersion) -> Self {
        ApiError::bad(e.to_string())
    }
}

impl ApiVersion {
    /// Whether this is a preview version.
    pub fn is_preview(&self) -> bool {
        self.preview.is_some()
    }
}

impl FromStr for ApiVersion {
    type Err = UnknownApiVersion;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let unknown = || UnknownApiVersion::of(text);
        if text.len() > MAX_LENGTH || !text.is_ascii() {
            return Err(unknown());
        }
        let (release, preview) = match text.split_once('-') {
            // A dated version has dashes of its own: the preview suffix is what follows the third.
            Some(_) if text.len() >= 10 && text.as_bytes()[4] == b'-' => match text.get(10..) {
                Some("") => (text, None),
                Some(rest) => (&text[..10], Some(rest.strip_prefix('-').ok_or_else(unknown)?)),
                None => return Err(unknown()),
            },
            Some((release, rest)) => (release, Some(rest)),
            None => (text, None),
        };
        let preview = preview.map(|suffix| parse_preview(suffix).ok_or_else(unknown)).transpose()?;
        let release = parse_numbered(release).or_else(|| parse_dated(release)).ok_or_else(unknown)?;
        Ok(Self { release, preview })
    }
}

/// `7.<minor>` with a minor Key Vault released.
fn parse_numbered(text: &str) -> Option<Release> {
    let minor = text.strip_prefix("7.")?;
    if minor.len() != 1 {
        return None;
    }
    let minor: u8 = minor.parse().ok()?;
    NUMBERED_MINORS.contains(&minor).then_some(Release::Numbered { minor })
}

/// `YYYY-MM-DD`, all digits, a real date, from [`FIRST_DATED_YEAR`] on.
fn parse_dated(text: &str) -> Option<Release> {
    let bytes = text.as_bytes();
    let shape_ok =
        bytes.len() == 10 && bytes.iter().enumerate().all(|(i, b)| if i == 4 || i == 7 { *b == b'-' } else { b.is_ascii_digit() });
    if !shape_ok {
        return None;
    }
    let date = NaiveDate::parse_from_str(text, "%Y-%m-%d").ok()?;
    (date.year() >= FIRST_DATED_YEAR).then_some(Release::Dated(date))
}

/// `preview` or `preview.N` (N from 1 to 99), in any case.
fn parse_preview(suffix: &str) -> Option<Preview> {
    let (word, number) = match suffix.split_once('.') {
        Some((word, number)) => (word, Some(number)),
        None => (suffix, None),
    };
    if !word.eq_ignore_ascii_case("preview") {
        return None;
    }
    match number {
        None => Some(Preview(None)),
        Some(number) if (1..=2).contains(&number.len()) && number.bytes().all(|b| b.is_ascii_digit()) => {
            let n: u8 = number.parse().ok()?;
            (n >= 1).then_some(Preview(Some(n)))
        }
        Some(_) => None,
    }
}

impl fmt::Display for ApiVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.release {
            Release::Numbered { minor } => write!(f, "7.{minor}")?,
            Release::Dated(date) => write!(f, "{}", date.format("%Y-%m-%d"))?,
        }
        match self.preview {
            None => Ok(()),
            Some(Preview(None)) => f.write_str("-preview"),
            Some(Preview(Some(n))) => write!(f, "-preview.{n}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_versions_the_sdks_send_parse_and_print_back() {
        for text in [
            "7.0",
            "7.1",
            "7.2",
            "7.3",
            "7.4",
            "7.5",
            "7.6",
            "7.6-preview",
            "7.5-preview.1",
            "7.6-preview.2",
            "2016-10-01",
            "2025-07-01",
            "2025-07-01-preview",
            "2026-04-01",
            "2099-12-31-preview.3",
        ] {
            let version: ApiVersion = text.parse().unwrap_or_else(|e| panic!("{text} is a Key Vault version: {e}"));
            assert_eq!(version.to_string(), text, "a version prints as the client sent it, for nextLink");
        }
        assert!("7.6-preview".parse::<ApiVersion>().is_ok_and(|v| v.is_preview()), "a preview is known as one");
        assert_eq!("7.6-Preview".parse::<ApiVersion>().map(|v| v.to_string()), Ok("7.6-preview".into()), "the suffix in any case");
    }

    #[test]
    fn values_that_are_no_key_vault_version_are_refused() {
        let huge = "9".repeat(10_000);
        for text in [
            "",
            "garbage",
            "1.0",
            "7",
            "7.",
            "7.7",
            "7.10",
            "8.0",
            "07.6",
            "7.6-",
            "7.6-beta",
            "7.6-preview.",
            "7.6-preview.0",
            "7.6-preview.100",
            "7.6-preview-preview",
            " 7.6",
            "7.6 ",
            "2015-06-01",
            "2025-13-01",
            "2025-02-30",
            "2025-7-1",
            "2025-07-01-",
            "2025-07-01preview",
            "2025-07-01-beta",
            "+025-07-01",
            "２０２５-07-01",
            huge.as_str(),
        ] {
            let refused = text.parse::<ApiVersion>();
            assert!(refused.is_err(), "{text:.20} is not a Key Vault version: {refused:?}");
        }
    }

    #[test]
    fn the_refusal_names_the_version_but_not_all_of_a_huge_one() {
        let error: ApiError = "garbage".parse::<ApiVersion>().expect_err("not a version").into();
        assert_eq!(error.code, "BadParameter");
        assert!(error.message.contains("(garbage)"), "the message names the bad version: {}", error.message);
        let huge = "9".repeat(10_000);
        let error = huge.parse::<ApiVersion>().expect_err("not a version");
        let message = error.to_string();
        assert!(message.contains(&huge[..SHOWN_IN_MESSAGE]) && message.len() < 200, "a long value is shortened: {message}");
    }
}
