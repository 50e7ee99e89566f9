//! Where a vault is said to live: `https://<vault>.localhost:<port>`, the base of every object id
//! the doors print (the CLI's `kid`, `id` and `vaultUri`, the desktop app's ids and JWKs), and the
//! port the REST server listens on unless told otherwise.
//!
//! The rule lives in the core, beside [`crate::objects::ObjectId::url`] which puts ids under it,
//! because every door depends on the core (the REST door depends on nothing else of Vaultmort's
//! at run time), so the CLI, the desktop app and the REST launcher read one rule.
//!
//! The port in object ids comes from the `VAULTMORT_PORT` environment variable, so that ids
//! printed by the CLI or the app name the port a `vaultmort serve --port` on another port
//! answers on; [`DEFAULT_PORT`] when the variable is unset or not a port number (`0` to
//! `65535`). Left out: which port a server actually listens on (the doors' `--port` option and
//! the app's setting), and the REST door's own base URL, which it takes from each request's
//! `Host` header.

/// The port the REST server listens on by default, and the port object ids name when
/// [`PORT_VARIABLE`] is unset.
pub const DEFAULT_PORT: u16 = 8443;

/// The environment variable that sets the port in object ids.
pub const PORT_VARIABLE: &str = "VAULTMORT_PORT";

/// The port in object ids for a [`PORT_VARIABLE`] value: the value when it is a port number,
/// [`DEFAULT_PORT`] when it is unset or anything else (`abc`, `70000`, ` 9000`).
pub fn port_from_setting(setting: Option<&str>) -> u16 {
    setting.and_then(|text| text.parse::<u16>().ok()).unwrap_or(DEFAULT_PORT)
}

/// The port in object ids, from the environment (see [`port_from_setting`]).
pub fn object_id_port() -> u16 {
    port_from_setting(std::env::var(PORT_VARIABLE).ok().as_deref())
}

/// `https://<vault>.localhost:<port>` with the vault name in lower case, no trailing slash.
pub fn vault_url_on_port(vault: &str, port: u16) -> String {
    format!("https://{}.localhost:{port}", vault.to_ascii_lowercase())
}

/// `https://<vault>.localhost:<port>` with the port of [`object_id_port`]: the base the doors put
/// object ids under.
pub fn vault_url(vault: &str) -> String {
    vault_url_on_port(vault, object_id_port())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unset_port_setting_gives_the_default_port() {
        assert_eq!(port_from_setting(None), DEFAULT_PORT, "no VAULTMORT_PORT means the REST server's default port");
        assert_eq!(DEFAULT_PORT, 8443, "8443 is the port documented for `vaultmort serve` and the app");
    }

    #[test]
    fn a_port_setting_that_is_a_port_number_is_used() {
        assert_eq!(port_from_setting(Some("9999")), 9999, "VAULTMORT_PORT=9999 puts ids on port 9999");
        assert_eq!(port_from_setting(Some("65535")), 65535, "the highest port is a port");
    }

    #[test]
    fn a_port_setting_that_is_not_a_port_number_falls_back_to_the_default() {
        for invalid in ["", "abc", "70000", "-1", " 9000", "9000 ", "84.43"] {
            assert_eq!(port_from_setting(Some(invalid)), DEFAULT_PORT, "VAULTMORT_PORT={invalid:?} is not a port: the default is used");
        }
    }

    #[test]
    fn a_vault_url_is_under_localhost_with_the_name_in_lower_case() {
        assert_eq!(vault_url_on_port("My-Vault", 9443), "https://my-vault.localhost:9443", "host names are lower case, no trailing slash");
    }

    #[test]
    fn a_vault_url_names_the_port_from_the_environment() {
        // The process environment is not changed here (that is `unsafe` in edition 2024): the
        // URL must agree with whatever this test process was started with.
        let expected = port_from_setting(std::env::var(PORT_VARIABLE).ok().as_deref());
        assert_eq!(vault_url("v"), format!("https://v.localhost:{expected}"), "vault_url reads VAULTMORT_PORT like port_from_setting");
    }
}
