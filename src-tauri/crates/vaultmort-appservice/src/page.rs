//! What a request gets, on either port. The host is the request's (`:authority` on HTTP/2, else
//! the Host header, without its port), looked up in the current site table:
//!
//! - a host no web app has: 404 with a page saying so;
//! - plain HTTP to an HTTPS-only app: 301 to `https://<host>:<https port><path and query>`;
//! - otherwise 200 with a small page naming the app, the host and the certificate: the one
//!   this connection's handshake presented, or over plain HTTP the one HTTPS would present.
//!
//! Every method and path gets the same answer. Everything printed is HTML-escaped, and the
//! pages forbid scripts and framing. Left out: the user's own content behind a site (a later
//! issue) and request bodies (never read).

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::reload::CurrentSites;
use crate::sites::{CertificateOrigin, Presented, Site, normalize_host};

/// What kind of connection a request came on.
#[derive(Debug, Clone)]
pub(crate) enum Connection {
    /// TLS, whose handshake presented this certificate.
    Https(Presented),
    /// Plain HTTP; HTTPS is on this port.
    Http {
        /// The front end's HTTPS port, for redirects.
        https_port: u16,
    },
}

/// What every request of one connection reads.
#[derive(Debug, Clone)]
pub(crate) struct PageState {
    pub(crate) sites: Arc<CurrentSites>,
    pub(crate) connection: Arc<Connection>,
}

/// The router of one connection.
pub(crate) fn router(sites: Arc<CurrentSites>, connection: Connection) -> axum::Router {
    axum::Router::new().fallback(answer).with_state(PageState { sites, connection: Arc::new(connection) })
}

async fn answer(State(state): State<PageState>, request: Request) -> Response {
    let Some(host) = request_host(&request) else {
        return not_found(None);
    };
    let table = state.sites.current();
    let Some(site) = table.site(&host) else {
        return not_found(Some(&host));
    };
    match state.connection.as_ref() {
        Connection::Http { https_port } if site.served.https_only => {
            let path = request.uri().path_and_query().map_or("/", |p| p.as_str());
            redirect(&format!("https://{}:{https_port}{path}", site.served.host))
        }
        Connection::Http { https_port } => html(StatusCode::OK, &site_page(site, None, *https_port)),
        Connection::Https(presented) => html(StatusCode::OK, &site_page(site, Some(presented), 0)),
    }
}

/// The host a request is for, lower case, without port or trailing dot.
pub(crate) fn request_host(request: &Request) -> Option<String> {
    if let Some(host) = request.uri().host() {
        return Some(normalize_host(host));
    }
    let value = request.headers().get(header::HOST)?.to_str().ok()?;
    let authority: axum::http::uri::Authority = value.parse().ok()?;
    Some(normalize_host(authority.host()))
}

/// `text` with `&`, `<`, `>`, `"` and `'` escaped, for HTML text and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// The page of `site`; `presented` is this TLS connection's certificate, `None` over plain HTTP
/// (then the page names what HTTPS on `https_port` presents).
fn site_page(site: &Site, presented: Option<&Presented>, https_port: u16) -> String {
    let served = &site.served;
    let (app, host, group) = (escape(&served.app), escape(&served.host), escape(&served.resource_group));
    let mut body = format!(
        "<h1>{app}</h1>\n<p>This is the practice web app <strong>{app}</strong> (resource group {group}), answering at <strong>{host}</strong>.</p>\n"
    );
    let shown = match presented {
        Some(presented) => {
            body.push_str("<h2>Certificate presented on this connection</h2>\n");
            presented
        }
        None => {
            body.push_str(&format!(
                "<p>This page came over plain HTTP: no certificate protects it. Over HTTPS, on port {https_port}, this host name is served with the certificate below.</p>\n<h2>Certificate for HTTPS</h2>\n"
            ));
            &served.presented
        }
    };
    let c = &shown.certificate;
    let origin = match shown.origin {
        CertificateOrigin::Bound => "the App Service certificate bound to this host name",
        CertificateOrigin::Default => "the built-in default certificate",
    };
    body.push_str(&format!(
        "<dl>\n<dt>Subject</dt><dd>{}</dd>\n<dt>Thumbprint</dt><dd>{}</dd>\n<dt>Serial number</dt><dd>{}</dd>\n<dt>Expires</dt><dd>{}</dd>\n<dt>Which</dt><dd>{origin}</dd>\n</dl>\n",
        escape(&c.subject_name),
        escape(&c.thumbprint),
        escape(&c.serial_number),
        escape(&c.expiration_date.format("%Y-%m-%d %H:%M:%S UTC").to_string()),
    ));
    if shown.origin == CertificateOrigin::Default && !served.default_host {
        body.push_str(&format!(
            "<p>{host} has no SSL binding, and the default certificate names only <code>*.{}</code>: browsers warn. Bind a certificate to this host name to fix that.</p>\n",
            escape(vaultmort_core::appservice::DEFAULT_HOST_SUFFIX)
        ));
    }
    if let Some(problem) = &served.problem {
        body.push_str(&format!("<p><strong>Problem:</strong> {}</p>\n", escape(problem)));
    }
    document(&format!("{app} - Vaultmort App Service"), &body)
}

/// 404: no web app has `host` (or the request named no host).
fn not_found(host: Option<&str>) -> Response {
    let body = match host {
        Some(host) => format!(
            "<h1>404 Web app not found</h1>\n<p>No web app has the host name <strong>{}</strong>. Add it to a web app as a custom domain, or use an app's default host name (<code>&lt;app&gt;.{}</code>).</p>\n",
            escape(host),
            escape(vaultmort_core::appservice::DEFAULT_HOST_SUFFIX)
        ),
        None => "<h1>404 Web app not found</h1>\n<p>The request named no host, so no web app can answer it.</p>\n".to_string(),
    };
    html(StatusCode::NOT_FOUND, &document("404 Web app not found - Vaultmort App Service", &body))
}

fn document(title: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head><meta charset=\"utf-8\"><title>{}</title></head>\n<body>\n{body}</body>\n</html>\n",
        escape(title)
    )
}

fn html(status: StatusCode, page: &str) -> Response {
    let mut response = (status, page.to_string()).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8"));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static("default-src 'none'; frame-ancestors 'none'"));
    response
}

fn redirect(location: &str) -> Response {
    match HeaderValue::from_str(location) {
        Ok(value) => {
            let mut response = html(StatusCode::MOVED_PERMANENTLY, &document("Moved to HTTPS", "<p>This web app is HTTPS only.</p>\n"));
            response.headers_mut().insert(header::LOCATION, value);
            response
        }
        // The host is a served (validated) name and the path came through hyper's parser, so
        // this cannot happen; answer it as a bad request rather than a redirect to nowhere.
        Err(_) => html(StatusCode::BAD_REQUEST, &document("Bad request", "<p>The request's path cannot be redirected.</p>\n")),
    }
}
