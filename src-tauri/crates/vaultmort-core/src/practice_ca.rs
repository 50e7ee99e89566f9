//! The practice certificate authority: a root and an intermediate CA per installation, made on
//! first use, whose keys are sealed like any other key material. Vault issuers with provider
//! `VaultmortPractice` get their certificates from it; people export the root (PEM or DER) to
//! trust it.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use chrono::{DateTime, Months, Utc};
use serde::{Deserialize, Serialize};
use vaultmort_certs::policy::CertificatePolicy;
use vaultmort_crypto::{Curve, KeySpec, ProviderKey, ProviderKind, PublicKey};

use crate::authz::{Scope, actions};
use crate::barrier::SealContext;
use crate::storage::Transaction;
use crate::{Error, RequestContext, Result, Vaultmort};

const CA_KEY: &str = "practice-ca";
const ROOT_SUBJECT: &str = "CN=Vaultmort Practice Root CA, O=Vaultmort, OU=Practice";
const INTERMEDIATE_SUBJECT: &str = "CN=Vaultmort Practice Issuing CA, O=Vaultmort, OU=Practice";

#[derive(Serialize, Deserialize)]
struct StoredCa {
    root_der: String,
    intermediate_der: String,
    intermediate_key: String,
    intermediate_public: PublicKey,
    provider: ProviderKind,
}

/// The unlocked practice CA.
pub(crate) struct PracticeCa {
    pub(crate) root_der: Vec<u8>,
    pub(crate) intermediate_der: Vec<u8>,
    intermediate_key: ProviderKey,
    intermediate_public: PublicKey,
}

fn context(which: &str) -> SealContext {
    SealContext::installation(&format!("practice-ca/{which}"))
}

impl PracticeCa {
    /// Issues a leaf for `policy` and `public` from the intermediate CA.
    pub(crate) fn issue_leaf(
        &self,
        core: &Vaultmort,
        policy: &CertificatePolicy,
        public: &PublicKey,
        serial: &[u8],
        not_before: DateTime<Utc>,
        not_after: DateTime<Utc>,
    ) -> Result<Vec<u8>> {
        let provider = core.ca_provider(self.intermediate_key.kind)?;
        let signer = vaultmort_certs::signer::ProviderSigner::new(provider.as_ref(), &self.intermediate_key, &self.intermediate_public)?;
        Ok(vaultmort_certs::build::issue_leaf(policy, public, &self.intermediate_der, &signer, serial, not_before, not_after)?)
    }
}

impl Vaultmort {
    /// The provider of the practice CA's key, which is always a software key.
    fn ca_provider(&self, kind: vaultmort_crypto::ProviderKind) -> Result<std::sync::Arc<dyn vaultmort_crypto::CryptoProvider>> {
        match kind {
            vaultmort_crypto::ProviderKind::Software => Ok(self.software.clone()),
            other => Err(Error::Integrity(format!("the practice CA's key is recorded as a {other} key; it is always a software key"))),
        }
    }

    /// Loads the practice CA, making it on first use.
    pub(crate) async fn practice_ca(&self, tx: &mut dyn Transaction, now: DateTime<Utc>) -> Result<PracticeCa> {
        if let Some(bytes) = tx.meta_get(CA_KEY).await? {
            let stored: StoredCa = serde_json::from_slice(&bytes).map_err(|e| Error::Integrity(format!("practice CA record: {e}")))?;
            let decode = |text: &str| STANDARD.decode(text).map_err(|_| Error::Integrity("practice CA record is not base64".into()));
            let sealed = decode(&stored.intermediate_key)?;
            let key = self.barrier.open_with_master(&context("intermediate-key"), &sealed)?;
            return Ok(PracticeCa {
                root_der: decode(&stored.root_der)?,
                intermediate_der: decode(&stored.intermediate_der)?,
                intermediate_key: ProviderKey { kind: stored.provider, bytes: key },
                intermediate_public: stored.intermediate_public,
            });
        }
        let provider = self.software.as_ref();
        let root = provider.generate(KeySpec::Ec { curve: Curve::P384 })?;
        let intermediate = provider.generate(KeySpec::Ec { curve: Curve::P384 })?;
        let start = now - chrono::Duration::days(1);
        let root_end = start.checked_add_months(Months::new(120)).ok_or_else(|| Error::bad("CA validity overflow"))?;
        let inter_end = start.checked_add_months(Months::new(60)).ok_or_else(|| Error::bad("CA validity overflow"))?;
        let root_signer = vaultmort_certs::signer::ProviderSigner::new(provider, &root.handle, &root.public)?;
        let root_der =
            vaultmort_certs::build::root_ca(ROOT_SUBJECT, &root_signer, &vaultmort_crypto::aead::random_bytes(16)?, start, root_end)?;
        let intermediate_der = vaultmort_certs::build::intermediate_ca(
            INTERMEDIATE_SUBJECT,
            &intermediate.public,
            &root_der,
            &root_signer,
            &vaultmort_crypto::aead::random_bytes(16)?,
            start,
            inter_end,
        )?;
        let sealed = self.barrier.seal_with_master(&context("intermediate-key"), &intermediate.handle.bytes)?;
        let stored = StoredCa {
            root_der: STANDARD.encode(&root_der),
            intermediate_der: STANDARD.encode(&intermediate_der),
            intermediate_key: STANDARD.encode(sealed),
            intermediate_public: intermediate.public.clone(),
            provider: intermediate.handle.kind,
        };
        // The root key signs only the intermediate: it is not kept, so it can never sign again.
        let bytes = serde_json::to_vec(&stored).map_err(|e| Error::Integrity(format!("practice CA record: {e}")))?;
        tx.meta_put(CA_KEY, &bytes).await?;
        Ok(PracticeCa { root_der, intermediate_der, intermediate_key: intermediate.handle, intermediate_public: intermediate.public })
    }

    /// The practice CA's root certificate (DER), to be trusted by clients.
    pub async fn practice_ca_root(&self, ctx: &RequestContext) -> Result<Vec<u8>> {
        let mut req = self.request(ctx, actions::CA_EXPORT).await?;
        let result = async {
            req.authorize(Scope::Tenant).await?;
            let now = req.now;
            Ok(self.practice_ca(req.tx.as_mut(), now).await?.root_der)
        }
        .await;
        req.finish(result).await
    }

    /// Issues a TLS server certificate from the practice CA for a CSR (its subject and SANs are
    /// copied; the usages are digitalSignature and serverAuth), valid for `days` from now.
    /// Returns the leaf then the intermediate (DER), the chain a server presents. The private
    /// key stays with whoever made the CSR.
    pub async fn practice_ca_issue_server(&self, ctx: &RequestContext, csr_der: &[u8], days: u32) -> Result<Vec<Vec<u8>>> {
        let mut req = self.request(ctx, actions::CA_ISSUE_SERVER).await?;
        let result = async {
            req.authorize(Scope::Tenant).await?;
            if !(1..=825).contains(&days) {
                return Err(Error::bad(format!("a server certificate is valid for 1 to 825 days, not {days}")));
            }
            let csr = vaultmort_certs::parse::CsrInfo::from_der(csr_der)?;
            let now = req.now;
            let ca = self.practice_ca(req.tx.as_mut(), now).await?;
            let provider = self.ca_provider(ca.intermediate_key.kind)?;
            let signer = vaultmort_certs::signer::ProviderSigner::new(provider.as_ref(), &ca.intermediate_key, &ca.intermediate_public)?;
            let profile = vaultmort_certs::build::Profile::Leaf {
                key_usage: vec![vaultmort_certs::policy::KeyUsage::DigitalSignature],
                ekus: vec![vaultmort_certs::build::EKU_SERVER_AUTH.to_string()],
            };
            let leaf = vaultmort_certs::build::issue(
                vaultmort_certs::build::SubjectSource::Csr(&csr),
                Some(&ca.intermediate_der),
                &signer,
                &vaultmort_certs::build::random_serial()?,
                now - chrono::Duration::hours(1),
                now + chrono::Duration::days(i64::from(days)),
                &profile,
            )?;
            Ok(vec![leaf, ca.intermediate_der])
        }
        .await;
        req.finish(result).await
    }
}
