//! The front end's error type: each variant has a code (Azure's words where Azure has one) and
//! a message a person can act on. Messages never carry key material.
//!
//! Left out: HTTP statuses. The front end's errors are reported to whoever starts or reloads it
//! (the desktop app, the CLI), never to the browsers it serves; those get pages ([`crate::page`]).

/// What can go wrong starting or reloading the front end.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum FrontEndError {
    /// A listener handed to [`crate::FrontEnd::start`] has no local address.
    #[error("the front end's {port} listener has no address: {source}")]
    Listener {
        /// Which listener (`HTTPS` or `HTTP`).
        port: &'static str,
        /// What the system said.
        source: std::io::Error,
    },
    /// The built-in default certificate (`*.azurewebsites.localhost`) could not be made.
    #[error("the front end's default certificate could not be made: {0}")]
    DefaultCertificate(String),
    /// The core refused or failed a request (reading the sites, issuing a certificate).
    #[error(transparent)]
    Core(#[from] vaultmort_core::Error),
    /// The TLS settings of a site could not be built.
    #[error("the TLS settings of host '{host}' could not be built: {message}")]
    Tls {
        /// The host name.
        host: String,
        /// What rustls said.
        message: String,
    },
    /// A certificate bound to a host name does not load (no chain, or a key that does not match
    /// its leaf); the host gets the default certificate instead.
    #[error("the certificate {thumbprint} bound to '{host}' does not load: {reason}")]
    BoundCertificate {
        /// The certificate's thumbprint.
        thumbprint: String,
        /// The host name it is bound to.
        host: String,
        /// Why (never key material).
        reason: String,
    },
}

impl FrontEndError {
    /// A stable code for the error: the core's code for [`FrontEndError::Core`].
    pub fn code(&self) -> &'static str {
        match self {
            FrontEndError::Listener { .. } => "ListenFailed",
            FrontEndError::DefaultCertificate(_) => "DefaultCertificateUnavailable",
            FrontEndError::Core(e) => e.code(),
            FrontEndError::Tls { .. } => "TlsSettingsInvalid",
            FrontEndError::BoundCertificate { .. } => "BoundCertificateUnusable",
        }
    }

    /// The message a person reads.
    pub fn message(&self) -> String {
        self.to_string()
    }
}
