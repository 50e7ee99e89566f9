//! Whether a certificate covers a host name, as a TLS client decides it (RFC 6125, section 6.4):
//! the DNS names of the subject alternative name extension count, and the subject's common name
//! only when the certificate has no DNS name at all. A wildcard is the whole leftmost label
//! (`*.petdash.com`), matches exactly one label (`www.petdash.com`, not `petdash.com` nor
//! `a.b.petdash.com`) and needs at least two labels after it (`*.com` covers nothing). Partial
//! wildcards such as `w*.petdash.com` match nothing, as browsers treat them today.
//!
//! Left out: IP address SANs and internationalized names (compared as given, without case).

use crate::parse::CertificateInfo;

/// The DNS names a certificate answers for: its SAN DNS names, or its common name when it has none.
pub fn dns_names(info: &CertificateInfo) -> Vec<String> {
    if !info.sans.dns_names.is_empty() {
        return info.sans.dns_names.iter().map(|n| n.to_ascii_lowercase()).collect();
    }
    common_name(&info.subject).map(|cn| vec![cn.to_ascii_lowercase()]).unwrap_or_default()
}

/// The common name of a subject written `CN=www.petdash.com, O=PetDash`, if it has one.
pub fn common_name(subject: &str) -> Option<String> {
    subject.split(',').map(str::trim).find_map(|part| part.strip_prefix("CN=").map(str::to_string))
}

/// Whether the name `pattern` from a certificate covers `host`.
pub fn name_matches(pattern: &str, host: &str) -> bool {
    let pattern = pattern.trim_end_matches('.').to_ascii_lowercase();
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    if pattern.is_empty() || host.is_empty() {
        return false;
    }
    match pattern.strip_prefix("*.") {
        Some(rest) => {
            if rest.contains('*') || rest.split('.').count() < 2 {
                return false;
            }
            match host.split_once('.') {
                Some((first, after)) => !first.is_empty() && after == rest,
                None => false,
            }
        }
        None => !pattern.contains('*') && pattern == host,
    }
}

/// Whether a certificate covers `host`.
pub fn covers(info: &CertificateInfo, host: &str) -> bool {
    dns_names(info).iter().any(|name| name_matches(name, host))
}

#[cfg(test)]
mod tests {
    use super::name_matches;

    #[test]
    fn exact_names_match_without_case_or_trailing_dot() {
        assert!(name_matches("www.petdash.com", "WWW.PetDash.com."), "names compare without case, ignoring a trailing dot");
        assert!(!name_matches("www.petdash.com", "petdash.com"), "an exact name covers only itself");
    }

    #[test]
    fn a_wildcard_covers_exactly_one_leftmost_label() {
        assert!(name_matches("*.petdash.com", "www.petdash.com"), "one label under the wildcard is covered");
        assert!(!name_matches("*.petdash.com", "petdash.com"), "the wildcard does not cover the bare domain");
        assert!(!name_matches("*.petdash.com", "a.b.petdash.com"), "the wildcard covers one label, not two");
        assert!(!name_matches("w*.petdash.com", "www.petdash.com"), "partial wildcards match nothing");
        assert!(!name_matches("www.*.com", "www.petdash.com"), "a wildcard that is not leftmost matches nothing");
        assert!(!name_matches("*.com", "petdash.com"), "a wildcard needs two labels after it");
    }
}
