//! Tests of the certificate crate, with the openssl CLI as the independent referee: every CSR,
//! certificate and PFX this crate writes is read back by openssl, and every file openssl writes
//! (OpenSSL 3 defaults, `-legacy`, unencrypted, empty passwords, chains, EC keys) is read here.
//! Modules mirror `src`; signing tests run against every provider.

use chrono::{DateTime, Duration, TimeZone, Utc};
use vaultmort_certs::build::{self, Profile, SubjectSource};
use vaultmort_certs::policy::{CertificatePolicy, KeyUsage, NameAttribute, SubjectAlternativeNames, SubjectName};
use vaultmort_certs::{CertError, CertificateInfo, CsrInfo, ProviderSigner};
use vaultmort_crypto::{CryptoProvider, Curve, KeySpec, NewKey, SoftwareProvider};
use vaultmort_test_support::openssl::{Scratch, make_root_ca};

fn providers() -> Vec<Box<dyn CryptoProvider>> {
    vec![Box::new(SoftwareProvider::new())]
}

fn pem(label: &str, der: &[u8]) -> String {
    vaultmort_crypto::pem::encode(label, der)
}

fn der_of_pem(text: &str) -> Vec<u8> {
    ::pem::parse(text).expect("one PEM block").into_contents()
}

/// Now, to the second (certificates carry whole seconds).
fn now() -> DateTime<Utc> {
    Utc.timestamp_opt(Utc::now().timestamp(), 0).single().expect("valid time")
}

fn openssl_date(dt: DateTime<Utc>) -> String {
    dt.format("%b %e %H:%M:%S %Y GMT").to_string()
}

fn sans(dns: &[&str], emails: &[&str], upns: &[&str]) -> Option<SubjectAlternativeNames> {
    let list = |v: &[&str]| (!v.is_empty()).then(|| v.iter().map(|s| s.to_string()).collect());
    Some(SubjectAlternativeNames { dns_names: list(dns), emails: list(emails), upns: list(upns) })
}

/// A policy with the given subject, SANs, key usages and EKUs.
fn policy_for(subject: &str, sans: Option<SubjectAlternativeNames>, key_usage: &[&str], ekus: &[&str]) -> CertificatePolicy {
    let mut policy = CertificatePolicy::self_signed(subject);
    let x509 = policy.x509_props.as_mut().expect("default policy has x509_props");
    x509.sans = sans;
    x509.key_usage = Some(key_usage.iter().map(|s| s.to_string()).collect());
    x509.ekus = Some(ekus.iter().map(|s| s.to_string()).collect());
    policy
}

fn generate(provider: &dyn CryptoProvider, spec: KeySpec) -> NewKey {
    provider.generate(spec).expect("key generation")
}

fn expect_err<T: std::fmt::Debug>(result: Result<T, CertError>, code: &str, why: &str) -> CertError {
    match result {
        Ok(v) => panic!("expected a {code} error ({why}), got Ok({v:?})"),
        Err(e) => {
            assert_eq!(e.code(), code, "{why}: got {e:?} ({e})");
            e
        }
    }
}

/// Compares keys without printing them on failure.
fn assert_same_key(got: &[u8], expected: &[u8], why: &str) {
    assert!(got == expected, "{why}: the private key differs from the expected one ({} vs {} bytes)", got.len(), expected.len());
}

const SERVER_AUTH: &str = "1.3.6.1.5.5.7.3.1";
const CLIENT_AUTH: &str = "1.3.6.1.5.5.7.3.2";

/// A small PKI made by openssl: root CA, intermediate CA, RSA leaf (with keys), an EC
/// self-signed certificate and an unrelated key.
struct Pki {
    dir: Scratch,
}

impl Pki {
    fn new() -> Self {
        let dir = Scratch::new();
        dir.write(
            "ca.ext",
            "basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n",
        );
        dir.write(
            "leaf.ext",
            "basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\nsubjectAltName=DNS:pfx.example\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n",
        );
        make_root_ca(dir.dir(), "root", "/CN=PFX Test Root", 30);
        dir.openssl(&[
            "req",
            "-new",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            "inter.key",
            "-out",
            "inter.csr",
            "-subj",
            "/CN=PFX Test Intermediate",
        ]);
        dir.openssl(&[
            "x509",
            "-req",
            "-in",
            "inter.csr",
            "-CA",
            "root.pem",
            "-CAkey",
            "root.key",
            "-set_serial",
            "2",
            "-days",
            "30",
            "-extfile",
            "ca.ext",
            "-out",
            "inter.pem",
        ]);
        dir.openssl(&[
            "req",
            "-new",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            "leaf.key",
            "-out",
            "leaf.csr",
            "-subj",
            "/CN=pfx.example",
        ]);
        dir.openssl(&[
            "x509",
            "-req",
            "-in",
            "leaf.csr",
            "-CA",
            "inter.pem",
            "-CAkey",
            "inter.key",
            "-set_serial",
            "3",
            "-days",
            "30",
            "-extfile",
            "leaf.ext",
            "-out",
            "leaf.pem",
        ]);
        let chain = format!("{}{}", dir.read_text("inter.pem"), dir.read_text("root.pem"));
        dir.write("chain.pem", chain);
        dir.openssl(&[
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-nodes",
            "-keyout",
            "ec.key",
            "-out",
            "ec.pem",
            "-subj",
            "/CN=ec.example",
            "-days",
            "30",
        ]);
        dir.openssl(&["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", "other.key"]);
        Pki { dir }
    }

    fn der(&self, name: &str) -> Vec<u8> {
        der_of_pem(&self.dir.read_text(name))
    }

    /// The PKCS#8 DER of a key file.
    fn key_der(&self, name: &str) -> Vec<u8> {
        let out = format!("{name}.der");
        self.dir.openssl(&["pkcs8", "-topk8", "-nocrypt", "-in", name, "-outform", "DER", "-out", &out]);
        self.dir.read(&out)
    }

    fn leaf_chain(&self) -> Vec<Vec<u8>> {
        vec![self.der("leaf.pem"), self.der("inter.pem"), self.der("root.pem")]
    }
}

mod policy {
    use super::*;
    use serde_json::json;

    #[test]
    fn default_policy_has_the_rest_member_names_and_azure_cli_values() {
        let policy = CertificatePolicy::azure_default();
        let rest = serde_json::to_value(&policy).expect("serialize");
        assert_eq!(
            rest,
            json!({
                "key_props": {"exportable": true, "kty": "RSA", "key_size": 2048, "reuse_key": true},
                "secret_props": {"contentType": "application/x-pkcs12"},
                "x509_props": {
                    "subject": "CN=CLIGetDefaultPolicy",
                    "key_usage": ["cRLSign", "dataEncipherment", "digitalSignature", "keyEncipherment", "keyAgreement", "keyCertSign"],
                    "validity_months": 12
                },
                "lifetime_actions": [{"trigger": {"days_before_expiry": 90}, "action": {"action_type": "AutoRenew"}}],
                "issuer": {"name": "Self"}
            }),
            "the REST API names policy members in snake_case (key_props, x509_props, ...) except secret_props.contentType"
        );
        policy.validate().expect("Azure's own default policy is valid");
    }

    #[test]
    fn reads_what_az_get_default_policy_prints_and_camel_case_spellings() {
        let az = r#"{
          "issuerParameters": {"certificateTransparency": null, "name": "Self"},
          "keyProperties": {"curve": null, "exportable": true, "keySize": 2048, "keyType": "RSA", "reuseKey": true},
          "lifetimeActions": [{"action": {"actionType": "AutoRenew"}, "trigger": {"daysBeforeExpiry": 90}}],
          "secretProperties": {"contentType": "application/x-pkcs12"},
          "x509CertificateProperties": {"keyUsage": ["cRLSign","dataEncipherment","digitalSignature","keyEncipherment","keyAgreement","keyCertSign"],
            "subject": "CN=CLIGetDefaultPolicy", "validityInMonths": 12}
        }"#;
        let parsed: CertificatePolicy = serde_json::from_str(az).expect("az CLI shape parses");
        assert_eq!(parsed, CertificatePolicy::azure_default(), "a policy saved from az loads unchanged");

        let camel = r#"{"keyProps": {"kty": "EC", "crv": "P-384", "exportable": false},
            "x509Props": {"subject": "CN=camel", "sans": {"dnsNames": ["camel.example"]}, "validityMonths": 6},
            "lifetimeActions": [{"trigger": {"lifetimePercentage": 80}, "action": {"actionType": "EmailContacts"}}],
            "issuerParameters": {"name": "Unknown"}}"#;
        let parsed: CertificatePolicy = serde_json::from_str(camel).expect("camelCase parses");
        assert_eq!(parsed.key_spec().expect("spec"), KeySpec::Ec { curve: Curve::P384 });
        assert!(!parsed.exportable());
        assert_eq!(parsed.sans().dns_names, vec!["camel.example"]);
        assert_eq!(parsed.validity_months().expect("months"), 6);
        assert_eq!(parsed.issuer_name(), "Unknown");
        parsed.validate().expect("valid");
    }

    fn rejects(mutate: impl FnOnce(&mut CertificatePolicy), field: &str) {
        let mut policy = CertificatePolicy::azure_default();
        mutate(&mut policy);
        match policy.validate() {
            Err(CertError::InvalidPolicy { field: got, message }) => {
                assert!(got.starts_with(field), "the error must name {field}, it named {got} ({message})");
                assert!(!message.is_empty(), "the error must say what is wrong");
            }
            other => panic!("a policy breaking the rule on {field} must be refused, got {other:?}"),
        }
        let err = policy.validate().expect_err("refused");
        assert_eq!(err.code(), "BadParameter", "policy errors are BadParameter, as Key Vault answers");
    }

    fn x509(p: &mut CertificatePolicy) -> &mut vaultmort_certs::policy::X509Properties {
        p.x509_props.as_mut().expect("x509_props")
    }
    fn key(p: &mut CertificatePolicy) -> &mut vaultmort_certs::policy::KeyProperties {
        p.key_props.as_mut().expect("key_props")
    }
    fn trigger(p: &mut CertificatePolicy) -> &mut vaultmort_certs::policy::TriggerProperties {
        p.lifetime_actions.as_mut().and_then(|a| a[0].trigger.as_mut()).expect("trigger")
    }

    #[test]
    fn subject_or_sans_are_required() {
        rejects(|p| x509(p).subject = None, "x509_props.subject");
        rejects(|p| x509(p).subject = Some("  ".into()), "x509_props.subject");
        let mut sans_only = CertificatePolicy::azure_default();
        x509(&mut sans_only).subject = None;
        x509(&mut sans_only).sans = sans(&["only.example"], &[], &[]);
        sans_only.validate().expect("a policy with SANs and no subject is valid");
    }

    #[test]
    fn subject_must_parse() {
        rejects(|p| x509(p).subject = Some("just text".into()), "x509_props.subject");
        rejects(|p| x509(p).subject = Some("XX=foo".into()), "x509_props.subject");
        rejects(|p| x509(p).subject = Some("CN=".into()), "x509_props.subject");
        rejects(|p| x509(p).subject = Some("CN=a, C=USA".into()), "x509_props.subject");
    }

    #[test]
    fn validity_is_1_to_1200_months() {
        rejects(|p| x509(p).validity_months = Some(0), "x509_props.validity_months");
        rejects(|p| x509(p).validity_months = Some(1201), "x509_props.validity_months");
        rejects(|p| x509(p).validity_months = Some(-3), "x509_props.validity_months");
        let mut p = CertificatePolicy::azure_default();
        x509(&mut p).validity_months = Some(1200);
        trigger(&mut p).days_before_expiry = Some(30);
        p.validate().expect("1200 months is the maximum and allowed");
    }

    #[test]
    fn lifetime_triggers_follow_key_vault_ranges() {
        rejects(
            |p| {
                let t = trigger(p);
                t.days_before_expiry = None;
                t.lifetime_percentage = Some(0);
            },
            "lifetime_actions[0].trigger.lifetime_percentage",
        );
        rejects(
            |p| {
                let t = trigger(p);
                t.days_before_expiry = None;
                t.lifetime_percentage = Some(100);
            },
            "lifetime_actions[0].trigger.lifetime_percentage",
        );
        rejects(|p| trigger(p).days_before_expiry = Some(0), "lifetime_actions[0].trigger.days_before_expiry");
        // 12 months allow at most 27 x 12 = 324 days.
        rejects(|p| trigger(p).days_before_expiry = Some(325), "lifetime_actions[0].trigger.days_before_expiry");
        rejects(|p| trigger(p).lifetime_percentage = Some(80), "lifetime_actions[0].trigger");
        rejects(|p| trigger(p).days_before_expiry = None, "lifetime_actions[0].trigger");
        let mut p = CertificatePolicy::azure_default();
        trigger(&mut p).days_before_expiry = Some(324);
        p.validate().expect("27 x validity months is the largest allowed days_before_expiry");
    }

    #[test]
    fn actions_are_named_and_not_repeated() {
        rejects(
            |p| p.lifetime_actions.as_mut().expect("actions")[0].action.as_mut().expect("action").action_type = Some("Renew".into()),
            "lifetime_actions[0].action.action_type",
        );
        rejects(
            |p| {
                let actions = p.lifetime_actions.as_mut().expect("actions");
                let again = actions[0].clone();
                actions.push(again);
            },
            "lifetime_actions[1].action.action_type",
        );
        let mut both = CertificatePolicy::azure_default();
        let actions = both.lifetime_actions.as_mut().expect("actions");
        let mut email = actions[0].clone();
        email.action.as_mut().expect("action").action_type = Some("emailcontacts".into());
        actions.push(email);
        both.validate().expect("one AutoRenew and one EmailContacts action (names are case-insensitive) are allowed");
    }

    #[test]
    fn content_type_is_pfx_or_pem() {
        rejects(|p| p.secret_props.as_mut().expect("secret").content_type = Some("application/json".into()), "secret_props.contentType");
        let mut p = CertificatePolicy::azure_default();
        p.secret_props.as_mut().expect("secret").content_type = Some("application/x-pem-file".into());
        assert_eq!(p.content_type().expect("pem"), vaultmort_certs::policy::ContentType::Pem);
    }

    #[test]
    fn key_properties_follow_key_vault_rules() {
        rejects(|p| key(p).key_size = Some(1024), "key_props.key_size");
        rejects(|p| key(p).curve = Some("P-256".into()), "key_props.crv");
        rejects(|p| key(p).kty = Some("DSA".into()), "key_props.kty");
        rejects(
            |p| {
                key(p).kty = Some("EC".into());
                key(p).curve = Some("P-256".into());
            },
            "key_props.key_size",
        );
        rejects(
            |p| {
                key(p).kty = Some("EC-HSM".into());
                key(p).key_size = None;
                key(p).curve = Some("P-192".into());
            },
            "key_props.crv",
        );
        for (kty, size, curve, spec) in [
            ("RSA", Some(3072), None, KeySpec::Rsa { bits: 3072 }),
            ("RSA-HSM", Some(4096), None, KeySpec::Rsa { bits: 4096 }),
            ("EC", None, Some("P-521"), KeySpec::Ec { curve: Curve::P521 }),
            ("EC-HSM", None, Some("P-256K"), KeySpec::Ec { curve: Curve::P256K }),
            ("EC", None, None, KeySpec::Ec { curve: Curve::P256 }),
        ] {
            let mut p = CertificatePolicy::azure_default();
            key(&mut p).kty = Some(kty.into());
            key(&mut p).key_size = size;
            key(&mut p).curve = curve.map(String::from);
            p.validate().unwrap_or_else(|e| panic!("{kty} {size:?} {curve:?} is allowed: {e}"));
            assert_eq!(p.key_spec().expect("spec"), spec);
        }
    }

    #[test]
    fn key_usage_names_and_ekus_are_checked() {
        rejects(|p| x509(p).key_usage = Some(vec!["digitalSignature".into(), "signEverything".into()]), "x509_props.key_usage[1]");
        rejects(|p| x509(p).ekus = Some(vec!["serverAuth".into()]), "x509_props.ekus[0]");
        rejects(|p| x509(p).ekus = Some(vec!["1.3.6.1.5.5.7.3.1".into(), "1..2".into()]), "x509_props.ekus[1]");
        let mut p = CertificatePolicy::azure_default();
        x509(&mut p).key_usage = Some(
            [
                "digitalSignature",
                "nonRepudiation",
                "keyEncipherment",
                "dataEncipherment",
                "keyAgreement",
                "keyCertSign",
                "cRLSign",
                "encipherOnly",
                "decipherOnly",
            ]
            .map(String::from)
            .to_vec(),
        );
        x509(&mut p).ekus = Some(vec![SERVER_AUTH.into(), CLIENT_AUTH.into()]);
        p.validate().expect("all nine Azure key usage names are accepted");
        assert_eq!(p.key_usages().expect("usages"), KeyUsage::ALL.to_vec());
    }

    #[test]
    fn sans_are_checked() {
        rejects(|p| x509(p).sans = sans(&["not a host"], &[], &[]), "x509_props.sans.dns_names[0]");
        rejects(|p| x509(p).sans = sans(&[], &["nobody"], &[]), "x509_props.sans.emails[0]");
        rejects(|p| x509(p).sans = sans(&[], &[], &["user"]), "x509_props.sans.upns[0]");
        let mut p = CertificatePolicy::azure_default();
        x509(&mut p).sans = sans(&["*.contoso.com", "contoso.com"], &["a@contoso.com"], &["svc@contoso.com"]);
        p.validate().expect("wildcards, emails and UPNs are valid SANs");
    }

    #[test]
    fn subject_parses_into_a_structured_name() {
        let name = SubjectName::parse(r#"CN=www.contoso.com, O="Contoso, Ltd", OU=Web\, Team, C=US, S=WA, L=Redmond, E=admin@contoso.com"#)
            .expect("parses");
        assert_eq!(
            name.attributes,
            vec![
                (NameAttribute::CommonName, "www.contoso.com".to_string()),
                (NameAttribute::Organization, "Contoso, Ltd".to_string()),
                (NameAttribute::OrganizationalUnit, "Web, Team".to_string()),
                (NameAttribute::Country, "US".to_string()),
                (NameAttribute::State, "WA".to_string()),
                (NameAttribute::Locality, "Redmond".to_string()),
                (NameAttribute::Email, "admin@contoso.com".to_string()),
            ],
            "quoted and escaped commas stay in the value; S is Windows' spelling of ST"
        );
        assert_eq!(name.common_name(), Some("www.contoso.com"));
        assert_eq!(name.to_rfc4514(), r"CN=www.contoso.com,O=Contoso\, Ltd,OU=Web\, Team,C=US,ST=WA,L=Redmond,E=admin@contoso.com");
        let oid = SubjectName::parse("2.5.4.3=by oid; OID.2.5.4.10=Org").expect("OID keys parse");
        assert_eq!(oid.attributes[0].0, NameAttribute::CommonName);
        assert_eq!(oid.attributes[1].0, NameAttribute::Organization);
        assert!(SubjectName::parse("CN=a+OU=b").is_err(), "multi-valued RDNs are refused, not silently mangled");
    }

    #[test]
    fn triggers_resolve_to_days_before_expiry() {
        let default = CertificatePolicy::azure_default();
        let triggers = default.lifetime_triggers(365).expect("triggers");
        assert_eq!(triggers.len(), 1);
        assert_eq!(triggers[0].action, vaultmort_certs::policy::ActionType::AutoRenew);
        assert_eq!(triggers[0].days_before_expiry, 90);

        let mut pct = CertificatePolicy::azure_default();
        let t = trigger(&mut pct);
        t.days_before_expiry = None;
        t.lifetime_percentage = Some(80);
        // 80% of 365 days is 292 days elapsed, so 73 days before expiry.
        assert_eq!(pct.lifetime_triggers(365).expect("triggers")[0].days_before_expiry, 73);
        assert_eq!(pct.lifetime_triggers(100).expect("triggers")[0].days_before_expiry, 20);
    }

    #[test]
    fn lifetime_rules_are_typed_and_give_due_times() {
        use vaultmort_certs::policy::{ActionType, LifetimeRule, Trigger};
        let rules = CertificatePolicy::azure_default().lifetime_rules().expect("rules");
        assert_eq!(rules, vec![LifetimeRule { action: ActionType::AutoRenew, trigger: Trigger::DaysBeforeExpiry(90) }]);
        let start = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).single().expect("date");
        let end = Utc.with_ymd_and_hms(2026, 1, 11, 0, 0, 0).single().expect("date");
        assert_eq!(Trigger::DaysBeforeExpiry(2).due_at(start, end), Utc.with_ymd_and_hms(2026, 1, 9, 0, 0, 0).single().expect("date"));
        assert_eq!(
            Trigger::LifetimePercentage(80).due_at(start, end),
            Utc.with_ymd_and_hms(2026, 1, 9, 0, 0, 0).single().expect("date"),
            "80% of ten days is day eight"
        );
        assert_eq!(Trigger::LifetimePercentage(80).days_before_expiry(10), 2);
    }

    #[test]
    fn imported_certificates_get_key_vaults_import_policy() {
        let dir = Scratch::new();
        dir.openssl(&[
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-384",
            "-nodes",
            "-keyout",
            "k.pem",
            "-out",
            "c.pem",
            "-subj",
            "/C=US/ST=WA/O=Contoso, Ltd/CN=import.example",
            "-days",
            "365",
            "-addext",
            "subjectAltName=DNS:import.example,DNS:www.import.example",
            "-addext",
            "extendedKeyUsage=serverAuth",
            "-addext",
            "keyUsage=critical,digitalSignature",
        ]);
        let info = CertificateInfo::from_der(&der_of_pem(&dir.read_text("c.pem"))).expect("certificate");
        assert_eq!(info.subject_key_vault_style(), r"CN=import.example, O=Contoso\, Ltd, S=WA, C=US");
        let policy = CertificatePolicy::for_imported(&info, vaultmort_certs::policy::ContentType::Pem).expect("policy");
        policy.validate().expect("the derived policy is itself valid");
        assert_eq!(policy.key_spec().expect("spec"), KeySpec::Ec { curve: Curve::P384 });
        assert_eq!(policy.validity_months().expect("months"), 12, "365 days round to 12 months");
        assert_eq!(policy.issuer_name(), "Unknown");
        assert_eq!(policy.content_type().expect("type"), vaultmort_certs::policy::ContentType::Pem);
        assert_eq!(policy.sans().dns_names, vec!["import.example", "www.import.example"]);
        assert_eq!(policy.ekus().expect("ekus"), vec![SERVER_AUTH]);
        assert_eq!(policy.key_usages().expect("usages"), vec![KeyUsage::DigitalSignature]);
        let name = policy.subject_name().expect("subject parses").expect("has a subject");
        assert_eq!(name.attributes[1], (NameAttribute::Organization, "Contoso, Ltd".to_string()), "the escaped comma survives");
        let rules = policy.lifetime_rules().expect("rules");
        assert_eq!(rules[0].action, vaultmort_certs::policy::ActionType::EmailContacts);
        assert_eq!(rules[0].trigger, vaultmort_certs::policy::Trigger::LifetimePercentage(80));
    }

    #[test]
    fn not_after_adds_calendar_months() {
        let start = Utc.with_ymd_and_hms(2026, 1, 31, 12, 0, 0).single().expect("date");
        let end = CertificatePolicy::azure_default().not_after(start).expect("end");
        assert_eq!(end, Utc.with_ymd_and_hms(2027, 1, 31, 12, 0, 0).single().expect("date"));
    }
}

mod signer {
    use super::*;

    #[test]
    fn every_curve_and_rsa_sign_csrs_openssl_verifies() {
        for provider in providers() {
            for spec in [
                KeySpec::Rsa { bits: 2048 },
                KeySpec::Ec { curve: Curve::P256 },
                KeySpec::Ec { curve: Curve::P384 },
                KeySpec::Ec { curve: Curve::P521 },
            ] {
                let key = generate(provider.as_ref(), spec);
                let signer = ProviderSigner::new(provider.as_ref(), &key.handle, &key.public).expect("signer");
                let csr = build::csr(&CertificatePolicy::self_signed("CN=signer.example"), &signer).expect("csr");
                let dir = Scratch::new();
                dir.write("req.pem", pem("CERTIFICATE REQUEST", &csr));
                let out = dir.openssl(&["req", "-in", "req.pem", "-noout", "-verify"]);
                assert!(
                    out.contains("verify OK"),
                    "{spec:?}: openssl must accept the provider's signature (ECDSA r||s turned into DER): {out}"
                );
            }
        }
    }

    #[test]
    fn ecdsa_signatures_are_minimal_der_every_time() {
        // r or s with a leading zero byte (about 1 in 128 signatures) must still encode as
        // minimal DER, which aws-lc's verifier insists on.
        for provider in providers() {
            for curve in [Curve::P256, Curve::P521] {
                let key = generate(provider.as_ref(), KeySpec::Ec { curve });
                let signer = ProviderSigner::new(provider.as_ref(), &key.handle, &key.public).expect("signer");
                let policy = CertificatePolicy::self_signed("CN=der.example");
                for i in 0..150 {
                    let csr = build::csr(&policy, &signer).expect("csr");
                    CsrInfo::from_der(&csr).unwrap_or_else(|e| panic!("{curve} signature {i} must verify: {e}"));
                }
            }
        }
    }

    #[test]
    fn secp256k1_keys_are_refused_with_a_clear_error() {
        for provider in providers() {
            let key = generate(provider.as_ref(), KeySpec::Ec { curve: Curve::P256K });
            let err = expect_err(
                ProviderSigner::new(provider.as_ref(), &key.handle, &key.public),
                "UnsupportedFormat",
                "P-256K cannot sign X.509",
            );
            assert!(err.to_string().contains("P-256K"), "the message names the curve: {err}");
        }
    }

    #[test]
    fn a_provider_failure_surfaces_as_the_providers_error() {
        let provider = SoftwareProvider::new();
        let key = generate(&provider, KeySpec::Ec { curve: Curve::P256 });
        let mut foreign = key.handle.clone();
        foreign.kind = vaultmort_crypto::ProviderKind::Pkcs11;
        let signer = ProviderSigner::new(&provider, &foreign, &key.public).expect("signer is built without signing");
        match build::csr(&CertificatePolicy::self_signed("CN=x"), &signer) {
            Err(CertError::Crypto(vaultmort_crypto::CryptoError::WrongProvider(_))) => {}
            other => panic!("the provider's refusal must come back as CertError::Crypto, got {other:?}"),
        }
        let debug = format!("{signer:?}");
        assert!(debug.contains("ProviderSigner") && !debug.contains(&format!("{:?}", &key.handle.bytes[1..9])), "Debug shows no key bytes");
    }
}

mod build_tests {
    use super::*;

    fn rich_policy() -> CertificatePolicy {
        policy_for(
            "CN=www.contoso.com, OU=Web, O=Contoso, L=Redmond, ST=WA, C=US, E=admin@contoso.com",
            sans(&["www.contoso.com", "contoso.com"], &["admin@contoso.com"], &["svc@contoso.com"]),
            &["digitalSignature", "keyEncipherment"],
            &[SERVER_AUTH, CLIENT_AUTH],
        )
    }

    #[test]
    fn self_signed_rsa_2048_has_what_the_policy_says_and_verifies_strictly() {
        for provider in providers() {
            let key = generate(provider.as_ref(), KeySpec::Rsa { bits: 2048 });
            let signer = ProviderSigner::new(provider.as_ref(), &key.handle, &key.public).expect("signer");
            let policy = rich_policy();
            let not_before = now() - Duration::hours(1);
            let not_after = policy.not_after(not_before).expect("end");
            let serial = [0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef];
            let der = build::self_signed(&policy, &signer, &serial, not_before, not_after).expect("certificate");

            let dir = Scratch::new();
            dir.pem_cert("cert.pem", &der);
            let text = dir.openssl(&["x509", "-in", "cert.pem", "-noout", "-text"]);
            for expected in [
                "Public-Key: (2048 bit)",
                "Signature Algorithm: sha256WithRSAEncryption",
                "DNS:www.contoso.com",
                "DNS:contoso.com",
                "email:admin@contoso.com",
                "svc@contoso.com",
                "TLS Web Server Authentication, TLS Web Client Authentication",
                "Digital Signature, Key Encipherment",
                "CA:FALSE",
                "X509v3 Subject Key Identifier",
            ] {
                assert!(text.contains(expected), "openssl x509 -text must show {expected:?}:\n{text}");
            }
            assert!(text.contains("UPN"), "the UPN is an otherName openssl recognizes as UPN:\n{text}");
            let subject = dir.openssl(&["x509", "-in", "cert.pem", "-noout", "-subject", "-nameopt", "RFC2253"]);
            assert_eq!(
                subject.trim(),
                "subject=CN=www.contoso.com,OU=Web,O=Contoso,L=Redmond,ST=WA,C=US,emailAddress=admin@contoso.com",
                "the subject string reads most-specific-first, as RFC 2253 prints it"
            );
            let dates = dir.openssl(&["x509", "-in", "cert.pem", "-noout", "-startdate", "-enddate", "-serial"]);
            assert!(dates.contains(&format!("notBefore={}", openssl_date(not_before))), "{dates}");
            assert!(dates.contains(&format!("notAfter={}", openssl_date(not_after))), "{dates}");
            assert!(dates.contains("serial=0123456789ABCDEF"), "the serial is the one given: {dates}");
            let verify = dir.openssl(&["verify", "-x509_strict", "-CAfile", "cert.pem", "cert.pem"]);
            assert!(verify.contains("cert.pem: OK"), "a self-signed certificate verifies against itself under -x509_strict: {verify}");

            let info = CertificateInfo::from_der(&der).expect("parse");
            assert_eq!(info.subject, "CN=www.contoso.com,OU=Web,O=Contoso,L=Redmond,ST=WA,C=US,E=admin@contoso.com");
            assert_eq!(info.subject, info.issuer);
            assert_eq!(info.not_before, not_before);
            assert_eq!(info.not_after, not_after);
            assert_eq!(info.sans.dns_names, vec!["www.contoso.com", "contoso.com"]);
            assert_eq!(info.sans.emails, vec!["admin@contoso.com"]);
            assert_eq!(info.sans.upns, vec!["svc@contoso.com"]);
            assert_eq!(info.ekus, vec![SERVER_AUTH, CLIENT_AUTH]);
            assert_eq!(info.key_usage, vec![KeyUsage::DigitalSignature, KeyUsage::KeyEncipherment]);
            assert!(!info.is_ca);
            assert_eq!(info.public_key().expect("key"), key.public, "the certificate certifies the signer's key");
        }
    }

    #[test]
    fn self_signed_ec_p256_verifies_strictly() {
        for provider in providers() {
            let key = generate(provider.as_ref(), KeySpec::Ec { curve: Curve::P256 });
            let signer = ProviderSigner::new(provider.as_ref(), &key.handle, &key.public).expect("signer");
            let policy = policy_for("CN=ec.contoso.com", sans(&["ec.contoso.com"], &[], &[]), &["digitalSignature"], &[SERVER_AUTH]);
            let not_before = now() - Duration::minutes(5);
            let der = build::self_signed(&policy, &signer, &[7], not_before, not_before + Duration::days(30)).expect("certificate");
            let dir = Scratch::new();
            dir.pem_cert("ec.pem", &der);
            let text = dir.openssl(&["x509", "-in", "ec.pem", "-noout", "-text"]);
            for expected in ["ecdsa-with-SHA256", "prime256v1", "DNS:ec.contoso.com", "TLS Web Server Authentication", "Digital Signature"]
            {
                assert!(text.contains(expected), "openssl must show {expected:?}:\n{text}");
            }
            let verify = dir.openssl(&["verify", "-x509_strict", "-CAfile", "ec.pem", "ec.pem"]);
            assert!(verify.contains("ec.pem: OK"), "{verify}");
        }
    }

    #[test]
    fn default_policy_and_other_curves_self_sign_and_verify_strictly() {
        // Key Vault's default key usage includes keyCertSign; OpenSSL then insists on an explicit
        // basicConstraints (CA:FALSE) before it accepts the certificate as its own anchor.
        for provider in providers() {
            for spec in [KeySpec::Rsa { bits: 3072 }, KeySpec::Ec { curve: Curve::P384 }, KeySpec::Ec { curve: Curve::P521 }] {
                let key = generate(provider.as_ref(), spec);
                let signer = ProviderSigner::new(provider.as_ref(), &key.handle, &key.public).expect("signer");
                let policy = CertificatePolicy::azure_default();
                let start = now() - Duration::minutes(1);
                let der = build::self_signed(&policy, &signer, &[1, 2, 3], start, policy.not_after(start).expect("end")).expect("cert");
                let dir = Scratch::new();
                dir.pem_cert("c.pem", &der);
                let verify = dir.openssl(&["verify", "-x509_strict", "-CAfile", "c.pem", "c.pem"]);
                assert!(verify.contains("c.pem: OK"), "{spec:?} with the default policy: {verify}");
                let text = dir.openssl(&["x509", "-in", "c.pem", "-noout", "-text"]);
                assert!(text.contains("Certificate Sign") && text.contains("CA:FALSE"), "{text}");
            }
        }
    }

    #[test]
    fn csr_passes_openssl_and_an_openssl_ca_signs_it() {
        for provider in providers() {
            let key = generate(provider.as_ref(), KeySpec::Rsa { bits: 2048 });
            let signer = ProviderSigner::new(provider.as_ref(), &key.handle, &key.public).expect("signer");
            let csr = build::csr(&rich_policy(), &signer).expect("csr");
            let dir = Scratch::new();
            dir.write("req.pem", pem("CERTIFICATE REQUEST", &csr));
            let text = dir.openssl(&["req", "-in", "req.pem", "-noout", "-verify", "-text"]);
            assert!(text.contains("verify OK"), "{text}");
            for expected in ["DNS:www.contoso.com", "email:admin@contoso.com", "UPN", "TLS Web Client Authentication", "Key Encipherment"] {
                assert!(text.contains(expected), "the CSR requests {expected:?}:\n{text}");
            }
            let parsed = CsrInfo::from_der(&csr).expect("our own CSR parses");
            assert_eq!(parsed.public_key, key.public);
            assert_eq!(parsed.sans.upns, vec!["svc@contoso.com"]);

            dir.openssl(&[
                "req",
                "-x509",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-keyout",
                "ca.key",
                "-out",
                "ca.pem",
                "-subj",
                "/CN=OpenSSL Test CA",
                "-days",
                "30",
                "-addext",
                "basicConstraints=critical,CA:TRUE",
                "-addext",
                "keyUsage=critical,keyCertSign,cRLSign",
            ]);
            dir.openssl(&[
                "x509",
                "-req",
                "-in",
                "req.pem",
                "-CA",
                "ca.pem",
                "-CAkey",
                "ca.key",
                "-set_serial",
                "4660",
                "-days",
                "30",
                "-copy_extensions",
                "copy",
                "-out",
                "leaf.pem",
            ]);
            let leaf = der_of_pem(&dir.read_text("leaf.pem"));
            let ca = der_of_pem(&dir.read_text("ca.pem"));
            assert_eq!(CertificateInfo::from_der(&leaf).expect("leaf").public_key().expect("key"), key.public);

            // CA first on purpose: the result must still put the leaf first.
            let bundle = format!("{}{}", dir.read_text("ca.pem"), dir.read_text("leaf.pem"));
            dir.write("bundle.pem", &bundle);
            assert_eq!(
                vaultmort_certs::certificates_from(bundle.as_bytes()).expect("PEM"),
                vec![leaf.clone(), ca.clone()],
                "PEM, leaf first"
            );
            assert_eq!(vaultmort_certs::certificates_from(&leaf).expect("DER"), vec![leaf.clone()], "one DER certificate");
            dir.openssl(&["crl2pkcs7", "-nocrl", "-certfile", "bundle.pem", "-out", "chain.p7b"]);
            dir.openssl(&["crl2pkcs7", "-nocrl", "-certfile", "bundle.pem", "-outform", "DER", "-out", "chain.p7b.der"]);
            assert_eq!(vaultmort_certs::certificates_from(&dir.read("chain.p7b")).expect("PKCS#7 PEM"), vec![leaf.clone(), ca.clone()]);
            assert_eq!(vaultmort_certs::certificates_from(&dir.read("chain.p7b.der")).expect("PKCS#7 DER"), vec![leaf.clone(), ca.clone()]);
        }
    }

    /// Root (RSA) -> intermediate (P-384) -> leaves (RSA from a policy, and from a foreign CSR).
    #[test]
    fn root_intermediate_and_leaves_verify_strictly() {
        for provider in providers() {
            let provider = provider.as_ref();
            let start = now() - Duration::hours(1);
            let end = start + Duration::days(365);
            let root_key = generate(provider, KeySpec::Rsa { bits: 2048 });
            let root_signer = ProviderSigner::new(provider, &root_key.handle, &root_key.public).expect("root signer");
            let root_policy = CertificatePolicy::self_signed("CN=Vaultmort Test Root, O=Vaultmort, C=US");
            let root = build::issue(
                SubjectSource::Policy { policy: &root_policy, public_key: &root_key.public },
                None,
                &root_signer,
                &[0x10],
                start,
                end,
                &Profile::RootCa { path_len: None },
            )
            .expect("root");

            let inter_key = generate(provider, KeySpec::Ec { curve: Curve::P384 });
            let inter_signer = ProviderSigner::new(provider, &inter_key.handle, &inter_key.public).expect("intermediate signer");
            let inter_policy = CertificatePolicy::self_signed("CN=Vaultmort Test Issuing CA, O=Vaultmort, C=US");
            let inter = build::issue(
                SubjectSource::Policy { policy: &inter_policy, public_key: &inter_key.public },
                Some(&root),
                &root_signer,
                &[0x11],
                start,
                end,
                &Profile::IntermediateCa { path_len: Some(0) },
            )
            .expect("intermediate");

            let leaf_key = generate(provider, KeySpec::Rsa { bits: 2048 });
            let leaf_policy = policy_for(
                "CN=app.contoso.com",
                sans(&["app.contoso.com"], &[], &[]),
                &["digitalSignature", "keyEncipherment"],
                &[SERVER_AUTH],
            );
            let leaf = build::issue(
                SubjectSource::Policy { policy: &leaf_policy, public_key: &leaf_key.public },
                Some(&inter),
                &inter_signer,
                &build::random_serial().expect("serial"),
                start,
                start + Duration::days(90),
                &Profile::leaf_from_policy(&leaf_policy).expect("profile"),
            )
            .expect("leaf");

            let dir = Scratch::new();
            dir.pem_cert("root.pem", &root);
            dir.pem_cert("inter.pem", &inter);
            dir.pem_cert("leaf.pem", &leaf);
            let verify = dir.openssl(&[
                "verify",
                "-x509_strict",
                "-purpose",
                "sslserver",
                "-CAfile",
                "root.pem",
                "-untrusted",
                "inter.pem",
                "leaf.pem",
            ]);
            assert!(verify.contains("leaf.pem: OK"), "the issued chain must pass openssl's strict checks: {verify}");
            let verify_inter = dir.openssl(&["verify", "-x509_strict", "-CAfile", "root.pem", "inter.pem"]);
            assert!(verify_inter.contains("inter.pem: OK"), "{verify_inter}");

            let root_info = CertificateInfo::from_der(&root).expect("root");
            let inter_info = CertificateInfo::from_der(&inter).expect("inter");
            let leaf_info = CertificateInfo::from_der(&leaf).expect("leaf");
            assert!(root_info.is_ca && root_info.path_len.is_none() && root_info.self_issued);
            assert!(inter_info.is_ca);
            assert_eq!(inter_info.path_len, Some(0));
            assert_eq!(inter_info.authority_key_id, root_info.subject_key_id, "AKI names the issuer's SKI");
            assert_eq!(leaf_info.authority_key_id, inter_info.subject_key_id);
            assert_eq!(leaf_info.issuer, "CN=Vaultmort Test Issuing CA,O=Vaultmort,C=US");
            assert!(!leaf_info.is_ca);
            assert!(vaultmort_certs::parse::is_signed_by(&leaf, &inter) && vaultmort_certs::parse::is_signed_by(&inter, &root));

            // A CSR made by openssl with extensions rcgen's own parser refuses.
            dir.openssl(&[
                "req",
                "-new",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-keyout",
                "foreign.key",
                "-out",
                "foreign.csr",
                "-subj",
                "/C=US/O=Foreign Org/OU=Ops/CN=foreign.example",
                "-addext",
                "subjectAltName=DNS:foreign.example,IP:127.0.0.1",
                "-addext",
                "subjectKeyIdentifier=hash",
                "-addext",
                "1.3.6.1.4.1.311.21.7=DER:300c06042a0304050201010201",
            ]);
            let csr = CsrInfo::from_bytes(&dir.read("foreign.csr")).expect("foreign CSR parses");
            let from_csr = build::issue(
                SubjectSource::Csr(&csr),
                Some(&inter),
                &inter_signer,
                &[0x12, 0x34],
                start,
                start + Duration::days(30),
                &Profile::leaf_from_csr(&csr),
            )
            .expect("leaf from a CSR");
            dir.pem_cert("from_csr.pem", &from_csr);
            let verify = dir.openssl(&["verify", "-x509_strict", "-CAfile", "root.pem", "-untrusted", "inter.pem", "from_csr.pem"]);
            assert!(verify.contains("from_csr.pem: OK"), "{verify}");
            let subject =
                dir.openssl(&["x509", "-in", "from_csr.pem", "-noout", "-subject", "-nameopt", "RFC2253", "-ext", "subjectAltName"]);
            assert!(subject.contains("subject=CN=foreign.example,OU=Ops,O=Foreign Org,C=US"), "the CSR's subject is kept: {subject}");
            assert!(subject.contains("DNS:foreign.example") && subject.contains("IP Address:127.0.0.1"), "{subject}");
            let key_der = {
                dir.openssl(&["pkey", "-in", "foreign.key", "-pubout", "-outform", "DER", "-out", "foreign.spki"]);
                dir.read("foreign.spki")
            };
            assert_eq!(CertificateInfo::from_der(&from_csr).expect("info").spki_der, key_der, "the CSR's key is certified");
        }
    }

    #[test]
    fn ca_helpers_make_a_chain_openssl_accepts() {
        for provider in providers() {
            let provider = provider.as_ref();
            let start = now() - Duration::days(1);
            let root_key = generate(provider, KeySpec::Ec { curve: Curve::P384 });
            let root_signer = ProviderSigner::new(provider, &root_key.handle, &root_key.public).expect("signer");
            let root =
                build::root_ca("CN=Practice Root, O=Vaultmort", &root_signer, &[1], start, start + Duration::days(3650)).expect("root");
            let inter_key = generate(provider, KeySpec::Ec { curve: Curve::P384 });
            let inter_signer = ProviderSigner::new(provider, &inter_key.handle, &inter_key.public).expect("signer");
            let inter = build::intermediate_ca(
                "CN=Practice Issuing CA, O=Vaultmort",
                &inter_key.public,
                &root,
                &root_signer,
                &[2],
                start,
                start + Duration::days(1825),
            )
            .expect("intermediate");
            let leaf_key = generate(provider, KeySpec::Rsa { bits: 2048 });
            let policy = policy_for(
                "CN=site.localhost",
                sans(&["site.localhost"], &[], &[]),
                &["digitalSignature", "keyEncipherment"],
                &[SERVER_AUTH],
            );
            let leaf =
                build::issue_leaf(&policy, &leaf_key.public, &inter, &inter_signer, &[3], start, start + Duration::days(90)).expect("leaf");
            let dir = Scratch::new();
            dir.pem_cert("root.pem", &root);
            dir.pem_cert("inter.pem", &inter);
            dir.pem_cert("leaf.pem", &leaf);
            let out = dir.openssl(&[
                "verify",
                "-x509_strict",
                "-purpose",
                "sslserver",
                "-CAfile",
                "root.pem",
                "-untrusted",
                "inter.pem",
                "leaf.pem",
            ]);
            assert!(out.contains("leaf.pem: OK"), "{out}");
            let inter_text = dir.openssl(&["x509", "-in", "inter.pem", "-noout", "-text"]);
            assert!(inter_text.contains("CA:TRUE, pathlen:0") && inter_text.contains("Certificate Sign, CRL Sign"), "{inter_text}");
        }
    }

    /// Regression: rcgen's default parameters carry `CN=rcgen self signed cert`; a policy with
    /// SANs only must never produce that name.
    #[test]
    fn sans_only_policies_make_clean_names() {
        for provider in providers() {
            let provider = provider.as_ref();
            let key = generate(provider, KeySpec::Ec { curve: Curve::P256 });
            let signer = ProviderSigner::new(provider, &key.handle, &key.public).expect("signer");
            let mut policy = policy_for("CN=unused", sans(&["only.example"], &[], &[]), &["digitalSignature"], &[SERVER_AUTH]);
            policy.x509_props.as_mut().expect("x509").subject = None;
            let start = now() - Duration::minutes(1);
            let dir = Scratch::new();

            let csr = build::csr(&policy, &signer).expect("csr");
            dir.write("r.pem", pem("CERTIFICATE REQUEST", &csr));
            let text = dir.openssl(&["req", "-in", "r.pem", "-noout", "-verify", "-text"]);
            assert!(!text.contains("rcgen") && text.contains("DNS:only.example"), "the CSR has no invented subject:\n{text}");
            assert_eq!(CsrInfo::from_der(&csr).expect("csr").subject, "");

            let der = build::self_signed(&policy, &signer, &[1], start, start + Duration::days(1)).expect("self-signed");
            dir.pem_cert("s.pem", &der);
            let verify = dir.openssl(&["verify", "-x509_strict", "-CAfile", "s.pem", "s.pem"]);
            assert!(verify.contains("s.pem: OK"), "{verify}");
            assert_eq!(
                CertificateInfo::from_der(&der).expect("info").subject,
                "CN=only.example",
                "a self-signed certificate is named after its SAN"
            );

            let ca_key = generate(provider, KeySpec::Ec { curve: Curve::P256 });
            let ca_signer = ProviderSigner::new(provider, &ca_key.handle, &ca_key.public).expect("signer");
            let ca = build::root_ca("CN=SAN Test Root", &ca_signer, &[2], start, start + Duration::days(2)).expect("root");
            let leaf = build::issue_leaf(&policy, &key.public, &ca, &ca_signer, &[3], start, start + Duration::days(1)).expect("leaf");
            dir.pem_cert("ca.pem", &ca);
            dir.pem_cert("leaf.pem", &leaf);
            let verify = dir.openssl(&["verify", "-x509_strict", "-CAfile", "ca.pem", "leaf.pem"]);
            assert!(verify.contains("leaf.pem: OK"), "an empty subject with a critical SAN passes strict checks: {verify}");
            let text = dir.openssl(&["x509", "-in", "leaf.pem", "-noout", "-text"]);
            assert!(text.contains("X509v3 Subject Alternative Name: critical") && !text.contains("rcgen"), "{text}");
        }
    }

    #[test]
    fn issue_refuses_what_would_make_a_bad_certificate() {
        let provider = SoftwareProvider::new();
        let start = now();
        let end = start + Duration::days(10);
        let ca_key = generate(&provider, KeySpec::Ec { curve: Curve::P256 });
        let ca_signer = ProviderSigner::new(&provider, &ca_key.handle, &ca_key.public).expect("signer");
        let ca_policy = CertificatePolicy::self_signed("CN=CA");
        let ca_source = SubjectSource::Policy { policy: &ca_policy, public_key: &ca_key.public };
        let root = build::issue(ca_source, None, &ca_signer, &[1], start, end, &Profile::RootCa { path_len: Some(0) }).expect("root");
        let other = generate(&provider, KeySpec::Ec { curve: Curve::P256 });
        let other_signer = ProviderSigner::new(&provider, &other.handle, &other.public).expect("signer");
        let leaf_policy = CertificatePolicy::self_signed("CN=leaf");
        let leaf_source = SubjectSource::Policy { policy: &leaf_policy, public_key: &other.public };
        let leaf_profile = Profile::leaf_from_policy(&leaf_policy).expect("profile");

        expect_err(
            build::issue(leaf_source, Some(&root), &other_signer, &[2], start, end, &leaf_profile),
            "KeyMismatch",
            "signer must hold the CA key",
        );
        expect_err(
            build::issue(leaf_source, None, &ca_signer, &[2], start, end, &leaf_profile),
            "KeyMismatch",
            "self-signed needs the subject's key",
        );
        expect_err(build::issue(leaf_source, Some(&root), &ca_signer, &[0, 0], start, end, &leaf_profile), "BadParameter", "zero serial");
        expect_err(
            build::issue(leaf_source, Some(&root), &ca_signer, &[0xff; 20], start, end, &leaf_profile),
            "BadParameter",
            "serial too long",
        );
        expect_err(build::issue(leaf_source, Some(&root), &ca_signer, &[2], end, start, &leaf_profile), "BadParameter", "dates reversed");
        expect_err(
            build::issue(leaf_source, Some(&root), &ca_signer, &[2], start, end, &Profile::IntermediateCa { path_len: None }),
            "BadParameter",
            "a pathlen:0 root may not issue a CA",
        );
        expect_err(
            build::issue(ca_source, Some(&root), &ca_signer, &[2], start, end, &Profile::RootCa { path_len: None }),
            "BadParameter",
            "a root has no issuer",
        );
        let leaf = build::issue(leaf_source, Some(&root), &ca_signer, &[2], start, end, &leaf_profile).expect("a proper leaf");
        let third = generate(&provider, KeySpec::Ec { curve: Curve::P256 });
        let third_policy = CertificatePolicy::self_signed("CN=third");
        expect_err(
            build::issue(
                SubjectSource::Policy { policy: &third_policy, public_key: &third.public },
                Some(&leaf),
                &other_signer,
                &[3],
                start,
                end,
                &Profile::leaf_from_policy(&third_policy).expect("profile"),
            ),
            "BadParameter",
            "a leaf is not a CA and may not issue",
        );
    }
}

mod parse {
    use super::*;

    #[test]
    fn certificate_info_agrees_with_openssl() {
        let dir = Scratch::new();
        dir.openssl(&[
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-384",
            "-nodes",
            "-keyout",
            "k.pem",
            "-out",
            "c.pem",
            "-subj",
            "/C=US/O=Org/CN=host.example",
            "-days",
            "20",
            "-set_serial",
            "0x00FEDCBA9876543210",
            "-addext",
            "subjectAltName=DNS:host.example,IP:127.0.0.1,email:ops@example.com,URI:https://host.example/",
            "-addext",
            "extendedKeyUsage=clientAuth,serverAuth,1.2.3.4",
            "-addext",
            "keyUsage=critical,digitalSignature,keyAgreement",
        ]);
        let der = der_of_pem(&dir.read_text("c.pem"));
        let info = CertificateInfo::from_der(&der).expect("parse");
        let out = dir.openssl(&[
            "x509",
            "-in",
            "c.pem",
            "-noout",
            "-serial",
            "-subject",
            "-nameopt",
            "RFC2253",
            "-startdate",
            "-enddate",
            "-fingerprint",
            "-sha1",
        ]);
        assert!(out.contains(&format!("serial={}", info.serial)), "serial {} vs {out}", info.serial);
        assert_eq!(info.serial, "FEDCBA9876543210");
        assert!(out.contains(&format!("subject={}", info.subject)), "subject {} vs {out}", info.subject);
        assert_eq!(info.subject, "CN=host.example,O=Org,C=US");
        assert!(out.contains(&format!("notBefore={}", openssl_date(info.not_before))), "{out}");
        assert!(out.contains(&format!("notAfter={}", openssl_date(info.not_after))), "{out}");
        let sha1 = info.x5t.iter().map(|b| format!("{b:02X}")).collect::<Vec<_>>().join(":");
        assert!(out.contains(&sha1), "x5t is the SHA-1 fingerprint: {sha1} vs {out}");
        let sha256 = dir.openssl(&["x509", "-in", "c.pem", "-noout", "-fingerprint", "-sha256"]);
        let hex256 = info.sha256_thumbprint.iter().map(|b| format!("{b:02X}")).collect::<Vec<_>>().join(":");
        assert!(sha256.contains(&hex256), "{sha256}");
        assert_eq!(info.x5t_base64url().len(), 27, "20 bytes are 27 base64url characters");
        assert_eq!(info.sans.dns_names, vec!["host.example"]);
        assert_eq!(info.sans.ip_addresses, vec!["127.0.0.1"]);
        assert_eq!(info.sans.emails, vec!["ops@example.com"]);
        assert_eq!(info.sans.uris, vec!["https://host.example/"]);
        assert_eq!(info.ekus, vec![CLIENT_AUTH, SERVER_AUTH, "1.2.3.4"], "EKUs keep the certificate's order, unknown ones included");
        assert_eq!(info.key_usage, vec![KeyUsage::DigitalSignature, KeyUsage::KeyAgreement]);
        assert!(info.self_issued);

        dir.openssl(&["pkey", "-in", "k.pem", "-pubout", "-outform", "DER", "-out", "pub.der"]);
        assert_eq!(info.spki_der, dir.read("pub.der"), "the SPKI is the key's");
        let public = info.public_key().expect("EC key");
        assert!(matches!(public, vaultmort_crypto::PublicKey::Ec { curve: Curve::P384, .. }));
        assert_eq!(public.to_spki_der().expect("spki"), info.spki_der, "the public key round-trips to the same SPKI");
    }

    #[test]
    fn rsa_public_key_matches_openssl_modulus() {
        let pki = Pki::new();
        let info = CertificateInfo::from_der(&pki.der("leaf.pem")).expect("leaf");
        let modulus = pki.dir.openssl(&["x509", "-in", "leaf.pem", "-noout", "-modulus"]);
        let vaultmort_crypto::PublicKey::Rsa { n, e } = info.public_key().expect("RSA") else { panic!("the leaf is RSA") };
        assert!(modulus.trim().ends_with(&hex::encode_upper(&n)), "n matches openssl's modulus");
        assert_eq!(e, vec![1, 0, 1]);
        assert_eq!(info.issuer, "CN=PFX Test Intermediate");
        assert_eq!(info.serial, "03");
    }

    #[test]
    fn foreign_csr_with_unknown_extensions_parses_and_verifies() {
        let dir = Scratch::new();
        dir.openssl(&[
            "req",
            "-new",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-nodes",
            "-keyout",
            "k.pem",
            "-out",
            "r.pem",
            "-subj",
            "/CN=csr.example",
            "-addext",
            "subjectAltName=DNS:csr.example,email:a@csr.example",
            "-addext",
            "subjectKeyIdentifier=hash",
            "-addext",
            "1.3.6.1.4.1.311.21.7=DER:300c06042a0304050201010201",
            "-addext",
            "extendedKeyUsage=serverAuth",
        ]);
        let csr = CsrInfo::from_bytes(&dir.read("r.pem")).expect("a CSR with SKI and a Microsoft template extension parses");
        assert_eq!(csr.subject, "CN=csr.example");
        assert_eq!(csr.sans.dns_names, vec!["csr.example"]);
        assert_eq!(csr.sans.emails, vec!["a@csr.example"]);
        assert_eq!(csr.ekus, vec![SERVER_AUTH]);
        assert!(csr.extension_oids.contains(&"2.5.29.14".to_string()), "subjectKeyIdentifier is listed: {:?}", csr.extension_oids);
        assert!(csr.extension_oids.contains(&"1.3.6.1.4.1.311.21.7".to_string()), "the template extension is listed");
        assert!(matches!(csr.public_key, vaultmort_crypto::PublicKey::Ec { curve: Curve::P256, .. }));

        let der = der_of_pem(&dir.read_text("r.pem"));
        assert_eq!(CsrInfo::from_der(&der).expect("DER").der, der);
        let mut tampered = der.clone();
        let at = tampered.len() - 10;
        tampered[at] ^= 0x01;
        expect_err(CsrInfo::from_der(&tampered), "CorruptInput", "a CSR whose signature does not verify is refused");
        expect_err(CsrInfo::from_der(b"not a csr"), "CorruptInput", "garbage is not a CSR");
    }

    /// Some Windows tools write `.p7b` files in BER with indefinite lengths.
    #[test]
    fn ber_pkcs7_with_indefinite_lengths_is_read() {
        fn der(tag: u8, content: &[u8]) -> Vec<u8> {
            let mut out = vec![tag];
            let len = content.len();
            if len < 0x80 {
                out.push(len as u8);
            } else {
                out.extend([0x82, (len >> 8) as u8, len as u8]);
            }
            out.extend_from_slice(content);
            out
        }
        fn ber(tag: u8, parts: &[&[u8]]) -> Vec<u8> {
            let mut out = vec![tag, 0x80];
            for part in parts {
                out.extend_from_slice(part);
            }
            out.extend([0, 0]);
            out
        }
        let pki = Pki::new();
        let chain = pki.leaf_chain();
        let signed_data_oid = [0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02];
        let data_oid = [0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x01];
        let certs = ber(0xa0, &[&chain[2], &chain[0], &chain[1]]);
        let signed = ber(0x30, &[&der(0x02, &[1]), &der(0x31, &[]), &der(0x30, &data_oid), &certs, &der(0x31, &[])]);
        let content_info = ber(0x30, &[&signed_data_oid, &ber(0xa0, &[&signed])]);
        assert_eq!(vaultmort_certs::certificates_from(&content_info).expect("BER PKCS#7"), chain);
        assert_eq!(vaultmort_certs::detect_format(&content_info), vaultmort_certs::Format::Pkcs7);
    }

    #[test]
    fn chains_are_ordered_leaf_first_whatever_the_input_order() {
        let pki = Pki::new();
        let expected = pki.leaf_chain();
        let shuffled = format!("{}{}{}", pki.dir.read_text("root.pem"), pki.dir.read_text("leaf.pem"), pki.dir.read_text("inter.pem"));
        assert_eq!(vaultmort_certs::certificates_from(shuffled.as_bytes()).expect("PEM"), expected);
        let with_key = format!("{}{}", pki.dir.read_text("leaf.key"), shuffled);
        assert_eq!(vaultmort_certs::certificates_from(with_key.as_bytes()).expect("PEM with a key"), expected, "key blocks are skipped");
        use base64::Engine;
        let b64 = base64::engine::general_purpose::STANDARD.encode(&expected[0]);
        assert_eq!(vaultmort_certs::certificates_from(b64.as_bytes()).expect("base64"), vec![expected[0].clone()], "Key Vault's cer field");
        assert_eq!(
            vaultmort_certs::parse::order_chain(vec![expected[2].clone(), expected[1].clone(), expected[0].clone(), expected[1].clone()]),
            expected,
            "duplicates are dropped"
        );
        expect_err(vaultmort_certs::certificates_from(b"\x30\x03\x02\x01\x01"), "CorruptInput", "not a certificate");
        expect_err(
            vaultmort_certs::certificates_from(b"-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"),
            "CorruptInput",
            "no certificate",
        );
    }
}

mod pfx {
    use super::*;
    use vaultmort_certs::{needs_password, read_pfx, write_pfx};

    fn export(pki: &Pki, name: &str, extra: &[&str]) -> Vec<u8> {
        let mut args = vec!["pkcs12", "-export", "-out", name];
        args.extend_from_slice(extra);
        pki.dir.openssl(&args);
        pki.dir.read(name)
    }

    fn assert_reads_leaf_chain(pki: &Pki, bytes: &[u8], password: Option<&str>, chain_len: usize, why: &str) {
        let read = read_pfx(bytes, password).unwrap_or_else(|e| panic!("{why}: {e} ({})", e.code()));
        assert_eq!(read.chain.len(), chain_len, "{why}: chain length");
        assert_eq!(read.chain[..chain_len], pki.leaf_chain()[..chain_len], "{why}: leaf first, then issuers");
        assert_eq!(CertificateInfo::from_der(&read.chain[0]).expect("leaf").subject, "CN=pfx.example", "{why}");
        assert_same_key(&read.key_pkcs8, &pki.key_der("leaf.key"), why);
    }

    #[test]
    fn openssl_3_default_pfx_with_a_3_certificate_chain() {
        let pki = Pki::new();
        let bytes = export(&pki, "d.pfx", &["-inkey", "leaf.key", "-in", "leaf.pem", "-certfile", "chain.pem", "-passout", "pass:s3cret"]);
        assert_reads_leaf_chain(&pki, &bytes, Some("s3cret"), 3, "OpenSSL 3 default (AES-256-CBC, PBKDF2)");
        use base64::Engine;
        let b64 = base64::engine::general_purpose::STANDARD.encode(&bytes);
        assert_reads_leaf_chain(&pki, b64.as_bytes(), Some("s3cret"), 3, "the same PFX as base64 text (a Key Vault secret value)");
        assert!(needs_password(&bytes));
        expect_err(read_pfx(&bytes, Some("wrong")), "WrongPassword", "a wrong password");
        assert_eq!(read_pfx(&bytes, None).expect_err("no password"), CertError::PasswordRequired, "no password given for a protected file");
    }

    #[test]
    fn legacy_pfx() {
        let pki = Pki::new();
        let bytes =
            export(&pki, "l.pfx", &["-legacy", "-inkey", "leaf.key", "-in", "leaf.pem", "-certfile", "inter.pem", "-passout", "pass:old"]);
        assert_reads_leaf_chain(&pki, &bytes, Some("old"), 2, "-legacy (RC2-40 certificates, 3DES key, SHA-1 MAC)");
        expect_err(read_pfx(&bytes, Some("new")), "WrongPassword", "a wrong password on a legacy file");
    }

    #[test]
    fn unencrypted_pfx_with_and_without_mac() {
        let pki = Pki::new();
        let with_mac =
            export(&pki, "n.pfx", &["-keypbe", "NONE", "-certpbe", "NONE", "-inkey", "leaf.key", "-in", "leaf.pem", "-passout", "pass:m"]);
        assert_reads_leaf_chain(&pki, &with_mac, Some("m"), 1, "-keypbe NONE -certpbe NONE");
        expect_err(read_pfx(&with_mac, Some("x")), "WrongPassword", "the MAC is the only password check of an unencrypted file");
        let no_mac = export(
            &pki,
            "nm.pfx",
            &["-keypbe", "NONE", "-certpbe", "NONE", "-nomac", "-inkey", "leaf.key", "-in", "leaf.pem", "-passout", "pass:"],
        );
        assert_reads_leaf_chain(&pki, &no_mac, None, 1, "-nomac, nothing encrypted");
        assert!(!needs_password(&no_mac), "an unencrypted file without MAC needs no password");
    }

    #[test]
    fn empty_password_pfx() {
        let pki = Pki::new();
        let bytes = export(&pki, "e.pfx", &["-inkey", "leaf.key", "-in", "leaf.pem", "-certfile", "chain.pem", "-passout", "pass:"]);
        assert_reads_leaf_chain(&pki, &bytes, None, 3, "an empty password given as None");
        assert_reads_leaf_chain(&pki, &bytes, Some(""), 3, "an empty password given as Some(\"\")");
        assert!(!needs_password(&bytes));
    }

    #[test]
    fn ec_key_pfx() {
        let pki = Pki::new();
        let bytes = export(&pki, "ec.pfx", &["-inkey", "ec.key", "-in", "ec.pem", "-passout", "pass:ec"]);
        let read = read_pfx(&bytes, Some("ec")).expect("EC PFX");
        assert_eq!(read.chain, vec![pki.der("ec.pem")]);
        assert_same_key(&read.key_pkcs8, &pki.key_der("ec.key"), "the EC key");
        let public = vaultmort_certs::key::pkcs8_public_key(&read.key_pkcs8).expect("EC key");
        assert_eq!(public, CertificateInfo::from_der(&read.chain[0]).expect("cert").public_key().expect("key"));
    }

    #[test]
    fn no_key_mismatched_key_and_damage_are_told_apart() {
        let pki = Pki::new();
        let nokeys = export(&pki, "nk.pfx", &["-nokeys", "-in", "leaf.pem", "-passout", "pass:p"]);
        expect_err(read_pfx(&nokeys, Some("p")), "NoPrivateKey", "-nokeys");

        // openssl refuses to export a mismatched pair, so build one with the PKCS#12 library.
        let other = p12_keystore::PrivateKey::from_der(&pki.key_der("other.key")).expect("key");
        let cert = p12_keystore::Certificate::from_der(&pki.der("leaf.pem")).expect("cert");
        let mut store = p12_keystore::KeyStore::new();
        store.add_entry(
            "x",
            p12_keystore::KeyStoreEntry::PrivateKeyChain(p12_keystore::PrivateKeyChain::new(b"id".to_vec(), other, [cert])),
        );
        let mismatched = store.writer("p").write().expect("write");
        let err = expect_err(read_pfx(&mismatched, Some("p")), "KeyMismatch", "a key that is not the certificate's");
        assert!(err.to_string().contains("does not match"), "{err}");

        let good = export(&pki, "g.pfx", &["-inkey", "leaf.key", "-in", "leaf.pem", "-passout", "pass:p"]);
        expect_err(read_pfx(&good[..good.len() / 2], Some("p")), "CorruptInput", "a truncated file");
        expect_err(read_pfx(&[0x42; 300], Some("p")), "CorruptInput", "random bytes");
        expect_err(read_pfx(b"", None), "CorruptInput", "nothing");
        // The MAC digest ends 15 bytes from the end (8-byte salt, 2048 iterations after it).
        let mut bad_mac = good.clone();
        let at = bad_mac.len() - 15;
        bad_mac[at] ^= 0x01;
        expect_err(read_pfx(&bad_mac, Some("p")), "CorruptInput", "a damaged MAC when the password decrypts the contents");
    }

    #[test]
    fn written_pfx_is_read_by_openssl_3_defaults_with_and_without_password() {
        let pki = Pki::new();
        let key = pki.key_der("leaf.key");
        let chain = pki.leaf_chain();
        let expected_key = pki.dir.openssl(&["pkey", "-in", "leaf.key"]);
        for password in [Some("pfx-pass"), None] {
            let bytes = write_pfx(Some(&key), &chain, password, "my cert").expect("write");
            pki.dir.write("w.pfx", &bytes);
            let passin = format!("pass:{}", password.unwrap_or(""));
            let info = pki.dir.openssl(&["pkcs12", "-info", "-in", "w.pfx", "-passin", &passin, "-nodes"]);
            assert!(info.contains(expected_key.trim()), "openssl finds our key ({password:?}):\n{info}");
            assert_eq!(info.matches("-----BEGIN CERTIFICATE-----").count(), 3, "openssl finds the whole chain:\n{info}");
            assert!(info.contains("friendlyName: my cert"), "{info}");
            assert!(info.contains("PBES2") && info.contains("AES-256-CBC"), "modern encryption, no -legacy needed:\n{info}");
            let read = read_pfx(&bytes, password).expect("our own PFX reads back");
            assert_eq!(read.chain, chain);
            assert_same_key(&read.key_pkcs8, &key, "our PFX's key");
            assert_eq!(needs_password(&bytes), password.is_some());
        }
        let certs_only = write_pfx(None, &chain, Some("c"), "").expect("certificates only");
        pki.dir.write("c.pfx", &certs_only);
        let info = pki.dir.openssl(&["pkcs12", "-info", "-in", "c.pfx", "-passin", "pass:c", "-nokeys"]);
        assert_eq!(info.matches("-----BEGIN CERTIFICATE-----").count(), 3, "{info}");
        pki.dir.openssl(&["pkcs12", "-in", "c.pfx", "-passin", "pass:c", "-nokeys", "-out", "c-certs.pem"]);
        assert_eq!(vaultmort_certs::certificates_from(&pki.dir.read("c-certs.pem")).expect("certs"), chain);
        expect_err(read_pfx(&certs_only, Some("c")), "NoPrivateKey", "a certificates-only PFX has no key");
        expect_err(write_pfx(Some(&pki.key_der("other.key")), &chain, None, ""), "KeyMismatch", "the key must be the leaf's");
        expect_err(write_pfx(Some(&key), &[], None, ""), "BadParameter", "a PFX needs a certificate");
    }

    /// Splits a definite-length DER element: (tag, contents, rest).
    fn split_der(input: &[u8]) -> (u8, &[u8], &[u8]) {
        let (len, header) = match input[1] {
            n if n < 0x80 => (n as usize, 2),
            n => {
                let count = (n & 0x7f) as usize;
                (input[2..2 + count].iter().fold(0usize, |acc, b| (acc << 8) | *b as usize), 2 + count)
            }
        };
        (input[0], &input[header..header + len], &input[header + len..])
    }

    fn der(tag: u8, content: &[u8]) -> Vec<u8> {
        let mut out = vec![tag];
        let len = content.len();
        if len < 0x80 {
            out.push(len as u8);
        } else {
            let bytes: Vec<u8> = len.to_be_bytes().into_iter().skip_while(|b| *b == 0).collect();
            out.push(0x80 | bytes.len() as u8);
            out.extend(bytes);
        }
        out.extend_from_slice(content);
        out
    }

    /// RFC 7292 B.2 with an absent password (I = S only), SHA-256, ID 3 (MAC key).
    fn mac_key_absent_password(salt: &[u8], iterations: u32) -> Vec<u8> {
        use aws_lc_rs::digest;
        let mut input = vec![3u8; 64];
        input.extend((0..64).map(|k| salt[k % salt.len()]));
        let mut a = digest::digest(&digest::SHA256, &input).as_ref().to_vec();
        for _ in 1..iterations {
            a = digest::digest(&digest::SHA256, &a).as_ref().to_vec();
        }
        a
    }

    /// Windows and Java tools may MAC a password-less PFX with a zero-length password instead of an
    /// empty BMPString; OpenSSL accepts both, and so must we.
    #[test]
    fn pfx_maced_with_an_absent_password_opens_without_one() {
        let pki = Pki::new();
        let written = write_pfx(Some(&pki.key_der("leaf.key")), &pki.leaf_chain(), None, "x").expect("write");
        let (_, outer, _) = split_der(&written);
        let (_, _, after_version) = split_der(outer);
        let version = &outer[..outer.len() - after_version.len()];
        let (_, auth_content, after_auth) = split_der(after_version);
        let auth = &after_version[..after_version.len() - after_auth.len()];
        let (_, _, explicit) = split_der(auth_content); // skip the content type OID
        let (_, octets, _) = split_der(explicit);
        let (_, data, _) = split_der(octets);
        let salt = [7u8; 8];
        let key = mac_key_absent_password(&salt, 2048);
        let tag = aws_lc_rs::hmac::sign(&aws_lc_rs::hmac::Key::new(aws_lc_rs::hmac::HMAC_SHA256, &key), data);
        let sha256 = [0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00];
        let digest_info = der(0x30, &[der(0x30, &sha256), der(0x04, tag.as_ref())].concat());
        let mac_data = der(0x30, &[digest_info, der(0x04, &salt), der(0x02, &[0x08, 0x00])].concat());
        let rebuilt = der(0x30, &[version, auth, &mac_data].concat());

        pki.dir.write("null.pfx", &rebuilt);
        let out = pki.dir.openssl(&["pkcs12", "-in", "null.pfx", "-passin", "pass:", "-info", "-nodes"]);
        assert!(out.contains("BEGIN PRIVATE KEY"), "openssl accepts the rebuilt MAC:\n{out}");
        assert!(
            matches!(p12_keystore::Pkcs12Archive::from_pkcs12(&rebuilt, ""), Err(p12_keystore::error::Error::MacError(_))),
            "the PKCS#12 library alone only tries the empty BMPString"
        );
        let read = read_pfx(&rebuilt, None).expect("a zero-length-password MAC is accepted");
        assert_eq!(read.chain, pki.leaf_chain());
        assert!(!needs_password(&rebuilt));
        expect_err(read_pfx(&rebuilt, Some("not empty")), "WrongPassword", "a real password does not open it");
    }

    #[test]
    fn provider_key_and_self_signed_certificate_round_trip_through_pfx() {
        for provider in providers() {
            let key = generate(provider.as_ref(), KeySpec::Ec { curve: Curve::P384 });
            let signer = ProviderSigner::new(provider.as_ref(), &key.handle, &key.public).expect("signer");
            let start = now();
            let cert =
                build::self_signed(&CertificatePolicy::self_signed("CN=round.trip"), &signer, &[9], start, start + Duration::days(1))
                    .expect("cert");
            let pkcs8 = vaultmort_crypto::software::pkcs8_der(&key.handle).expect("software key");
            let bytes = write_pfx(Some(&pkcs8), std::slice::from_ref(&cert), None, "").expect("write");
            let read = read_pfx(&bytes, None).expect("read");
            assert_same_key(&read.key_pkcs8, &pkcs8, "the provider's key");
            let dir = Scratch::new();
            dir.write("r.pfx", &bytes);
            let out = dir.openssl(&["pkcs12", "-in", "r.pfx", "-passin", "pass:", "-nodes", "-info"]);
            assert!(out.contains("BEGIN PRIVATE KEY") && out.contains("subject=CN = round.trip"), "{out}");
        }
    }
}

mod pem {
    use super::*;
    use vaultmort_certs::{read_pem_bundle, write_pem};

    #[test]
    fn pkcs8_bundle_in_any_order_reads_leaf_first() {
        let pki = Pki::new();
        let d = &pki.dir;
        let bundle =
            format!("{}{}{}{}", d.read_text("root.pem"), d.read_text("leaf.key"), d.read_text("leaf.pem"), d.read_text("inter.pem"));
        let read = read_pem_bundle(&bundle, None).expect("bundle");
        assert_eq!(read.chain, pki.leaf_chain());
        assert_same_key(&read.key_pkcs8, &pki.key_der("leaf.key"), "the bundle's key");
    }

    #[test]
    fn encrypted_pkcs8_opens_with_its_password() {
        let pki = Pki::new();
        let d = &pki.dir;
        d.openssl(&["pkcs8", "-topk8", "-v2", "aes-256-cbc", "-in", "leaf.key", "-passout", "pass:x", "-out", "enc.key"]);
        assert!(d.read_text("enc.key").contains("ENCRYPTED PRIVATE KEY"));
        let bundle = format!("{}{}{}", d.read_text("enc.key"), d.read_text("leaf.pem"), d.read_text("chain.pem"));
        let read = read_pem_bundle(&bundle, Some("x")).expect("encrypted PKCS#8");
        assert_same_key(&read.key_pkcs8, &pki.key_der("leaf.key"), "the decrypted key is the plain one");
        assert_eq!(read.chain.len(), 3);
        expect_err(read_pem_bundle(&bundle, Some("y")), "WrongPassword", "a wrong password");
        assert_eq!(read_pem_bundle(&bundle, None).expect_err("no password"), CertError::PasswordRequired);
    }

    #[test]
    fn traditional_keys_get_the_conversion_command() {
        let pki = Pki::new();
        let d = &pki.dir;
        d.openssl(&["rsa", "-in", "leaf.key", "-traditional", "-out", "trad.key"]);
        d.openssl(&["ec", "-in", "ec.key", "-out", "ec-trad.key"]);
        for (key, cert, label) in [("trad.key", "leaf.pem", "RSA PRIVATE KEY"), ("ec-trad.key", "ec.pem", "EC PRIVATE KEY")] {
            let text = d.read_text(key);
            assert!(text.contains(label), "openssl wrote a traditional key: {text}");
            let bundle = format!("{}{}", text, d.read_text(cert));
            let err = expect_err(read_pem_bundle(&bundle, None), "UnsupportedFormat", "Key Vault needs PKCS#8");
            let message = err.to_string();
            assert!(message.contains(label) && message.contains("openssl pkcs8 -topk8"), "the message says how to convert: {message}");
        }
    }

    #[test]
    fn missing_and_mismatched_keys_are_reported() {
        let pki = Pki::new();
        let d = &pki.dir;
        expect_err(read_pem_bundle(&d.read_text("leaf.pem"), None), "NoPrivateKey", "certificates only");
        let mismatched = format!("{}{}", d.read_text("other.key"), d.read_text("leaf.pem"));
        expect_err(read_pem_bundle(&mismatched, None), "KeyMismatch", "a key for another certificate");
        expect_err(read_pem_bundle(&d.read_text("leaf.key"), None), "BadParameter", "a key without certificate");
        expect_err(read_pem_bundle("hello", None), "CorruptInput", "no PEM at all");
    }

    #[test]
    fn written_bundle_puts_the_key_first_and_openssl_reads_it() {
        let pki = Pki::new();
        let d = &pki.dir;
        let key = pki.key_der("leaf.key");
        let chain = pki.leaf_chain();
        let text = write_pem(&chain, Some(&key)).expect("write");
        assert!(text.starts_with("-----BEGIN PRIVATE KEY-----"), "the key comes first, as in Key Vault's PEM secret");
        assert_eq!(text.matches("-----BEGIN CERTIFICATE-----").count(), 3);
        d.write("out.pem", text.as_bytes());
        let key_out = d.openssl(&["pkey", "-in", "out.pem", "-check", "-noout"]);
        assert!(key_out.contains("valid"), "{key_out}");
        let subject = d.openssl(&["x509", "-in", "out.pem", "-noout", "-subject"]);
        assert!(subject.contains("CN = pfx.example"), "the first certificate is the leaf: {subject}");
        let back = read_pem_bundle(&text, None).expect("round trip");
        assert_eq!(back.chain, chain);
        assert_same_key(&back.key_pkcs8, &key, "round trip");
        expect_err(write_pem(&chain, Some(&pki.key_der("other.key"))), "KeyMismatch", "the key must be the leaf's");
        let certs_only = write_pem(&chain, None).expect("certificates only");
        assert!(!certs_only.contains("PRIVATE KEY"));
    }
}

mod detect {
    use super::*;
    use vaultmort_certs::{Format, detect_format};

    #[test]
    fn formats_are_recognized() {
        let pki = Pki::new();
        let d = &pki.dir;
        d.openssl(&["pkcs12", "-export", "-inkey", "leaf.key", "-in", "leaf.pem", "-passout", "pass:p", "-out", "f.pfx"]);
        d.openssl(&["crl2pkcs7", "-nocrl", "-certfile", "chain.pem", "-out", "f.p7b"]);
        d.openssl(&["crl2pkcs7", "-nocrl", "-certfile", "chain.pem", "-outform", "DER", "-out", "f.p7b.der"]);
        let pfx = d.read("f.pfx");
        assert_eq!(detect_format(&pfx), Format::Pfx);
        use base64::Engine;
        assert_eq!(detect_format(base64::engine::general_purpose::STANDARD.encode(&pfx).as_bytes()), Format::Pfx, "a PFX as base64 text");
        assert_eq!(detect_format(&d.read("leaf.pem")), Format::Pem);
        assert_eq!(detect_format(&d.read("leaf.key")), Format::Pem);
        assert_eq!(detect_format(&pki.der("leaf.pem")), Format::Der);
        assert_eq!(detect_format(&d.read("f.p7b")), Format::Pkcs7);
        assert_eq!(detect_format(&d.read("f.p7b.der")), Format::Pkcs7);
        assert_eq!(detect_format(b"\x00\x01\x02 not a certificate"), Format::Unknown);
        assert_eq!(detect_format(b""), Format::Unknown);
        assert!(vaultmort_certs::needs_password(&pfx));
        assert!(!vaultmort_certs::needs_password(&pki.der("leaf.pem")), "a certificate is not a protected PFX");
    }
}

mod import {
    use super::*;
    use vaultmort_certs::Format;
    use vaultmort_certs::import::{preview, read_key_and_chain};

    #[test]
    fn a_protected_pfx_asks_for_its_password_then_previews_the_whole_chain() {
        let pki = Pki::new();
        let d = &pki.dir;
        d.openssl(&[
            "pkcs12",
            "-export",
            "-inkey",
            "leaf.key",
            "-in",
            "leaf.pem",
            "-certfile",
            "chain.pem",
            "-passout",
            "pass:pw-1",
            "-out",
            "p.pfx",
        ]);
        let pfx = d.read("p.pfx");

        let asked = preview(&pfx, None).expect("no password is not an error in a preview");
        assert!(asked.needs_password, "a password-protected PFX needs its password before anything is shown");
        assert!(asked.chain.is_empty(), "nothing of a protected file is shown before the password");
        assert_eq!(asked.format, Format::Pfx);

        let wrong = expect_err(preview(&pfx, Some("nope")), "WrongPassword", "a wrong password is an error the wizard shows");
        assert!(!wrong.to_string().contains("nope"), "the message never echoes the password");

        let shown = preview(&pfx, Some("pw-1")).expect("the right password opens the file");
        assert!(!shown.needs_password && shown.has_private_key);
        let subjects: Vec<&str> = shown.chain.iter().map(|c| c.info.subject.as_str()).collect();
        assert_eq!(subjects, ["CN=pfx.example", "CN=PFX Test Intermediate", "CN=PFX Test Root"], "leaf first, then its issuers");
        let leaf = shown.leaf().expect("a leaf");
        assert_eq!(leaf.info.issuer, "CN=PFX Test Intermediate");
        assert_eq!(leaf.info.sans.dns_names, ["pfx.example"], "SANs as openssl wrote them");
        assert_eq!(leaf.key, "RSA 2048");
        // What the preview shows is what an import reads.
        let read = read_key_and_chain(&pfx, Some("pw-1")).expect("read");
        assert_eq!(read.chain, pki.leaf_chain());
    }

    #[test]
    fn unprotected_files_preview_without_a_password() {
        let pki = Pki::new();
        let d = &pki.dir;
        d.openssl(&["pkcs12", "-export", "-inkey", "ec.key", "-in", "ec.pem", "-passout", "pass:", "-out", "e.pfx"]);
        let shown = preview(&d.read("e.pfx"), None).expect("an empty-password PFX opens without asking");
        assert!(!shown.needs_password && shown.has_private_key);
        assert_eq!(shown.leaf().expect("leaf").key, "EC P-256");

        d.openssl(&["pkcs8", "-topk8", "-nocrypt", "-in", "leaf.key", "-out", "leaf8.key"]);
        let bundle = format!("{}{}", d.read_text("leaf.pem"), d.read_text("leaf8.key"));
        let pem = preview(bundle.as_bytes(), None).expect("a PEM bundle with a PKCS#8 key");
        assert_eq!((pem.format, pem.has_private_key), (Format::Pem, true));

        let der = preview(&pki.der("leaf.pem"), None).expect("a DER certificate previews");
        assert_eq!(der.format, Format::Der);
        assert!(!der.has_private_key, "a certificate alone has no key: the wizard warns before import");
        expect_err(read_key_and_chain(&pki.der("leaf.pem"), None), "NoPrivateKey", "importing a bare certificate is refused");
    }

    #[test]
    fn a_key_from_another_certificate_and_junk_are_refused() {
        let pki = Pki::new();
        let d = &pki.dir;
        d.openssl(&["pkcs8", "-topk8", "-nocrypt", "-in", "other.key", "-out", "other8.key"]);
        let mismatched = format!("{}{}", d.read_text("leaf.pem"), d.read_text("other8.key"));
        expect_err(preview(mismatched.as_bytes(), None), "KeyMismatch", "the wizard never offers an import that would fail");
        expect_err(preview(b"", None), "CorruptInput", "an empty file");
        expect_err(preview(b"\x00\x01 binary junk", None), "CorruptInput", "not a certificate file");
    }
}

mod error {
    use super::*;

    #[test]
    fn codes_are_azure_style_and_messages_hold_no_key_material() {
        let cases = [
            (CertError::InvalidPolicy { field: "x509_props.subject".into(), message: "m".into() }, "BadParameter"),
            (CertError::BadParameter("m".into()), "BadParameter"),
            (CertError::WrongPassword, "WrongPassword"),
            (CertError::PasswordRequired, "WrongPassword"),
            (CertError::NoPrivateKey, "NoPrivateKey"),
            (CertError::NoCertificate, "BadParameter"),
            (CertError::KeyMismatch("m".into()), "KeyMismatch"),
            (CertError::TraditionalKey { label: "RSA PRIVATE KEY".into() }, "UnsupportedFormat"),
            (CertError::Unsupported("m".into()), "UnsupportedFormat"),
            (CertError::Corrupt("m".into()), "CorruptInput"),
            (CertError::Internal("m".into()), "InternalError"),
        ];
        for (error, code) in cases {
            assert_eq!(error.code(), code, "{error:?}");
            assert!(!error.to_string().is_empty());
        }
        let pki = Pki::new();
        let key = pki.key_der("leaf.key");
        let read = vaultmort_certs::read_pem_bundle(&format!("{}{}", pki.dir.read_text("leaf.key"), pki.dir.read_text("leaf.pem")), None)
            .expect("bundle");
        let debug = format!("{read:?}");
        assert!(debug.contains("redacted") && !debug.contains(&format!("{:?}", &key[..12])), "Debug hides the key: {debug}");
    }
}
