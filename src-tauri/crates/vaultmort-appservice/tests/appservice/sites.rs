//! What each host name is served with: a bound certificate with its chain for its host, the
//! default one for everything else, and what `served_now` reports.

use vaultmort_appservice::CertificateOrigin;
use vaultmort_test_support::pki::{Leaf, OpensslPki};

use crate::support::{KeptConnection, Practice, s_client, serial_and_names, upload_and_bind, verify_chain};

#[tokio::test(flavor = "multi_thread")]
async fn a_bound_certificate_is_presented_for_its_host_and_only_there() {
    let practice = Practice::start().await;
    let pki = OpensslPki::new();
    let app = practice.web_app("petdash").await;
    practice.custom_domain(&app, "example.com", "leaf").await;
    let thumbprint = upload_and_bind(&practice, &pki, Leaf::Rsa, "petdash", "leaf.example.com").await;
    practice.front_end.reload().await.expect("the front end reloads");

    let seen = s_client(practice.https_port(), Some("leaf.example.com"), &[]).await;
    assert!(seen.ok, "the bound host's handshake succeeds:\n{}", seen.printed);
    let (serial, names) = serial_and_names(seen.leaf());
    assert_eq!(serial, "03", "the bound leaf (serial 3 of the test PKI) is presented, not the default certificate");
    assert!(names.contains("DNS:leaf.example.com"), "the presented leaf names the host: {names}");
    let pki_root = pki.der("root.pem");
    verify_chain(&pki_root, &seen.chain).expect("openssl verifies the presented chain (leaf and intermediate) up to the PKI's root");
    assert!(verify_chain(&practice.root, &seen.chain).is_err(), "the bound chain is the PKI's, not the practice CA's");

    let default = s_client(practice.https_port(), Some(&app.default_host_name), &[]).await;
    let (default_serial, _) = serial_and_names(default.leaf());
    assert_eq!(default_serial, practice.front_end.default_certificate().serial_number, "the app's default host name keeps the wildcard");

    let served = practice.front_end.served_now();
    let bound = served.iter().find(|s| s.host == "leaf.example.com").expect("served_now lists the custom domain");
    assert_eq!(bound.presented.origin, CertificateOrigin::Bound, "its certificate is the bound one");
    assert_eq!(bound.presented.certificate.thumbprint, thumbprint, "with the bound certificate's thumbprint");
    assert_eq!(bound.presented.certificate.serial_number, "03", "and its serial");
    assert!(bound.problem.is_none(), "nothing went wrong loading it: {:?}", bound.problem);
    assert_eq!(served[0].host, app.default_host_name, "an app's default host name is listed first");

    let mut connection = KeptConnection::https(practice.https_port(), "leaf.example.com", &pki_root).await;
    let answer = connection.get("leaf.example.com", "/").await;
    assert_eq!(answer.status, 200, "a client trusting the PKI's root gets the page: {}", answer.body);
    assert!(
        answer.body.contains(&thumbprint) && answer.body.contains("bound to this host name"),
        "the page names the bound certificate: {}",
        answer.body
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_custom_domain_without_a_binding_gets_the_default_certificate() {
    let practice = Practice::start().await;
    let app = practice.web_app("petdash").await;
    practice.custom_domain(&app, "petdash.com", "www").await;
    practice.front_end.reload().await.expect("the front end reloads");

    let seen = s_client(practice.https_port(), Some("www.petdash.com"), &[]).await;
    let (serial, names) = serial_and_names(seen.leaf());
    assert_eq!(
        serial,
        practice.front_end.default_certificate().serial_number,
        "an unbound custom domain is served with the default certificate"
    );
    assert!(!names.contains("www.petdash.com"), "which does not name it, so browsers warn: {names}");
    let served = practice.front_end.served_now();
    let www = served.iter().find(|s| s.host == "www.petdash.com").expect("served_now lists the custom domain");
    assert_eq!(www.presented.origin, CertificateOrigin::Default, "served_now says the default certificate is presented");
    assert!(!www.default_host, "and that it is a custom domain");

    let mut http = KeptConnection::http(practice.http_port()).await;
    let answer = http.get("www.petdash.com", "/").await;
    assert_eq!(answer.status, 200, "the custom domain is served: {}", answer.body);
    assert!(answer.body.contains("has no SSL binding"), "its page says why browsers warn: {}", answer.body);
}
