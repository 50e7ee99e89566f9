//! Key Vault-shaped errors: `{"error":{"code","message"}}` with an HTTP status chosen from the
//! code by one function, [`status_for`]. Core errors keep their codes unchanged; the REST door's
//! own refusals (no token, body too large, unknown route) use Key Vault's codes for them.

use axum::http::StatusCode;
use serde_json::json;

/// An error on its way to the client.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    /// Key Vault's code (`SecretNotFound`, `BadParameter`, `Unauthorized`, ...).
    pub code: String,
    /// What happened, for a person.
    pub message: String,
    /// Azure's inner code, where it gives one (`ObjectIsDeletedButRecoverable`).
    pub inner: Option<String>,
    /// Whether the core's pipeline already audited the failed request (errors of core
    /// operations); the door audits the others itself.
    pub audited: bool,
    /// Seconds the client should wait (`Retry-After`), for throttled requests.
    pub retry_after: Option<u64>,
}

impl ApiError {
    /// An error with `code` and `message`.
    pub fn new(code: &str, message: impl Into<String>) -> Self {
        Self { code: code.to_string(), message: message.into(), inner: None, audited: false, retry_after: None }
    }

    /// A `BadParameter` error.
    pub fn bad(message: impl Into<String>) -> Self {
        Self::new("BadParameter", message)
    }

    /// A 429: the vault's practice throttling refused the request; retry after `seconds`.
    pub fn throttled(seconds: u64) -> Self {
        Self {
            retry_after: Some(seconds),
            ..Self::new(
                "Throttled",
                format!("Operations per second is over the limit: retry after {seconds} s (practice throttling is on for this vault)"),
            )
        }
    }

    /// The HTTP status for this error's code.
    pub fn status(&self) -> StatusCode {
        status_for(&self.code)
    }

    /// The JSON body. The message is written without characters JSON must escape (quotes,
    /// backslashes, line breaks): the Rust SDK reads `code` and `message` as borrowed strings
    /// and, on the first escape, loses the whole error body and reports the bare status.
    pub fn body(&self) -> serde_json::Value {
        let message: String = self
            .message
            .chars()
            .map(|c| match c {
                '"' => '\'',
                '\\' => '/',
                c if c.is_control() => ' ',
                c => c,
            })
            .collect();
        let mut error = json!({"code": self.code, "message": message});
        if let (Some(inner), Some(map)) = (&self.inner, error.as_object_mut()) {
            map.insert("innererror".into(), json!({"code": inner}));
        }
        json!({ "error": error })
    }
}

impl From<vaultmort_core::Error> for ApiError {
    fn from(e: vaultmort_core::Error) -> Self {
        // Key Vault answers a firewall refusal as `Forbidden` and names the firewall in the
        // inner error; the SDKs surface both.
        let code = match e.code() {
            "ForbiddenByFirewall" => "Forbidden",
            code => code,
        };
        Self { code: code.to_string(), message: e.to_string(), inner: e.inner_code().map(str::to_string), audited: true, retry_after: None }
    }
}

impl From<vaultmort_crypto::CryptoError> for ApiError {
    fn from(e: vaultmort_crypto::CryptoError) -> Self {
        // Parsing input (an algorithm name, say), before any core operation ran.
        Self { audited: false, ..vaultmort_core::Error::from(e).into() }
    }
}

/// The one place an error code becomes an HTTP status. Codes this door does not know are input
/// errors (certificate checks such as `WrongPassword` or `KeyMismatch`): 400, never 500. Only
/// failures of the installation itself answer 500.
pub fn status_for(code: &str) -> StatusCode {
    match code {
        "Unauthorized" | "MasterKeyMismatch" => StatusCode::UNAUTHORIZED,
        "Forbidden"
        | "ForbiddenByFirewall"
        | "ForbiddenByPolicy"
        | "KeyDisabled"
        | "SecretDisabled"
        | "CertificateDisabled"
        | "OperationNotAllowed"
        | "KeyNotYetValid"
        | "KeyExpired"
        | "PurgeProtectionEnabled" => StatusCode::FORBIDDEN,
        "Conflict" | "VaultAlreadyExists" | "ResourceGroupAlreadyExists" => StatusCode::CONFLICT,
        "MethodNotAllowed" => StatusCode::METHOD_NOT_ALLOWED,
        "RequestTimeout" => StatusCode::REQUEST_TIMEOUT,
        "RequestBodyTooLarge" => StatusCode::PAYLOAD_TOO_LARGE,
        "Throttled" => StatusCode::TOO_MANY_REQUESTS,
        "NotSupported" | "HsmUnavailable" => StatusCode::NOT_IMPLEMENTED,
        "StorageError" | "IntegrityCheckFailed" | "AuditUnavailable" | "InternalError" => StatusCode::INTERNAL_SERVER_ERROR,
        code if code.ends_with("NotFound") => StatusCode::NOT_FOUND,
        _ => StatusCode::BAD_REQUEST,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn core_codes_map_to_key_vault_statuses() {
        assert_eq!(status_for("SecretNotFound"), StatusCode::NOT_FOUND);
        assert_eq!(status_for("KeyNotFound"), StatusCode::NOT_FOUND);
        assert_eq!(status_for("Forbidden"), StatusCode::FORBIDDEN);
        assert_eq!(status_for("Conflict"), StatusCode::CONFLICT);
        assert_eq!(status_for("BadParameter"), StatusCode::BAD_REQUEST);
        assert_eq!(status_for("WrongPassword"), StatusCode::BAD_REQUEST, "unknown codes are input errors, not 500");
        assert_eq!(status_for("AuditUnavailable"), StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(status_for("RequestBodyTooLarge"), StatusCode::PAYLOAD_TOO_LARGE);
        assert_eq!(status_for("RequestTimeout"), StatusCode::REQUEST_TIMEOUT, "a body that did not arrive in time");
    }

    #[test]
    fn the_body_carries_the_inner_code() {
        let mut e = ApiError::new("Conflict", "taken");
        e.inner = Some("ObjectIsDeletedButRecoverable".into());
        assert_eq!(e.body()["error"]["innererror"]["code"], "ObjectIsDeletedButRecoverable");
    }

    #[test]
    fn a_message_needs_no_json_escapes() {
        let e = ApiError::bad("expected \"value\" at line 1\r\nC:\\path");
        let text = e.body().to_string();
        let message_start = text.find("\"message\":\"").expect("a message") + 11;
        assert!(!text[message_start..].contains('\\'), "no escape sequence in the written message: {text}");
        assert_eq!(e.body()["error"]["message"], "expected 'value' at line 1  C:/path", "quotes, breaks and backslashes replaced");
    }
}
