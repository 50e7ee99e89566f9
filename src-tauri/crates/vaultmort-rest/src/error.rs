//! Key Vault-shaped errors: `{"error":{"code","message","innererror"}}` with an HTTP status.
//!
//! A core error arrives in the core's one wire form ([`vaultmort_core::WireError`]): code, inner
//! code and status are the ones the access record holds and the other doors show. The REST door
//! adds only the refusals that are its own, each with its status: no or a bad token (401, with
//! the challenge), an unknown route (404) or method (405), a body too large (413) or too slow
//! (408), an unknown or missing api-version and unreadable JSON (400), practice throttling (429)
//! and what Vaultmort does not implement (501).

use axum::http::StatusCode;

use crate::dto::{ErrorBody, ErrorDetail, InnerError};

/// An error on its way to the client.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    /// The HTTP status.
    pub status: StatusCode,
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
    /// A refusal of the door's own with `status`, `code` and `message`.
    pub fn new(status: StatusCode, code: &str, message: impl Into<String>) -> Self {
        Self { status, code: code.to_string(), message: message.into(), inner: None, audited: false, retry_after: None }
    }

    /// A 400 `BadParameter`: input the door could not read (JSON, base64, a query parameter).
    pub fn bad(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "BadParameter", message)
    }

    /// A 401 `Unauthorized`: no token, or one this server does not accept.
    pub fn unauthorized(message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "Unauthorized", message)
    }

    /// A 404 `NotFound`: no route for this method and path.
    pub fn no_route(method: &axum::http::Method, path: &str) -> Self {
        Self::new(StatusCode::NOT_FOUND, "NotFound", format!("no route for {method} {path}"))
    }

    /// A 501 `NotSupported`: a Key Vault operation Vaultmort does not implement.
    pub fn not_supported(message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_IMPLEMENTED, "NotSupported", message)
    }

    /// A 500 `InternalError` of the door itself (starting the listener, TLS set-up).
    pub fn internal(message: impl Into<String>) -> Self {
        Self::new(StatusCode::INTERNAL_SERVER_ERROR, "InternalError", message)
    }

    /// A 429: the vault's practice throttling refused the request; retry after `seconds`.
    pub fn throttled(seconds: u64) -> Self {
        Self {
            retry_after: Some(seconds),
            ..Self::new(
                StatusCode::TOO_MANY_REQUESTS,
                "Throttled",
                format!("Operations per second is over the limit: retry after {seconds} s (practice throttling is on for this vault)"),
            )
        }
    }

    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        self.status
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
        let body = ErrorBody {
            error: ErrorDetail { code: self.code.clone(), message, innererror: self.inner.clone().map(|code| InnerError { code }) },
        };
        // Only strings: the conversion cannot fail.
        serde_json::to_value(body).unwrap_or_default()
    }
}

impl From<vaultmort_core::Error> for ApiError {
    fn from(e: vaultmort_core::Error) -> Self {
        let wire = e.wire();
        Self {
            // Every status the core gives is a valid HTTP status; a wrong one would be the
            // server's fault, never the caller's.
            status: StatusCode::from_u16(wire.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
            code: wire.code.to_string(),
            message: wire.message,
            inner: wire.inner_code.map(str::to_string),
            audited: true,
            retry_after: None,
        }
    }
}

impl From<vaultmort_crypto::CryptoError> for ApiError {
    fn from(e: vaultmort_crypto::CryptoError) -> Self {
        // Parsing input (an algorithm name, say), before any core operation ran.
        Self { audited: false, ..vaultmort_core::Error::from(e).into() }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_core_error_keeps_its_wire_form() {
        let error = ApiError::from(vaultmort_core::Error::ForbiddenByFirewall("127.0.0.2 refused".into()));
        assert_eq!(
            (error.status(), error.code.as_str(), error.inner.as_deref()),
            (StatusCode::FORBIDDEN, "Forbidden", Some("ForbiddenByFirewall"))
        );
        assert!(error.audited, "the pipeline audited it");
        let broken = ApiError::from(vaultmort_core::Error::Certificate { code: "InternalError", message: "x".into() });
        assert_eq!(broken.status(), StatusCode::INTERNAL_SERVER_ERROR, "answered 500, as the access record says");
    }

    #[test]
    fn the_body_carries_the_inner_code() {
        let mut e = ApiError::new(StatusCode::CONFLICT, "Conflict", "taken");
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
