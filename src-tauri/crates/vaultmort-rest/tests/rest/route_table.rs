//! The route table against its own document: every route the OpenAPI document lists is
//! recognized as itself, and the recognizer answers no path the document does not list. Runs on
//! the pure recognizer, without a server, so it can try many paths.

use std::collections::BTreeSet;

use axum::http::Method;
use vaultmort_rest::route_table::{RouteId, recognize};

const METHODS: [&str; 6] = ["GET", "PUT", "POST", "PATCH", "DELETE", "HEAD"];

/// A (method, template) the document lists, split into segments.
struct Documented {
    id: RouteId,
    method: &'static str,
    segments: Vec<&'static str>,
}

fn documented() -> Vec<Documented> {
    RouteId::ALL
        .iter()
        .map(|&id| {
            let spec = id.spec();
            Documented { id, method: spec.method, segments: spec.template[1..].split('/').collect() }
        })
        .collect()
}

fn is_parameter(segment: &str) -> bool {
    segment.starts_with('{') && segment.ends_with('}')
}

/// How specific a template is: literal segments beat parameters, the earlier the stronger.
fn specificity(template: &[&str]) -> Vec<bool> {
    template.iter().map(|s| !is_parameter(s)).collect()
}

/// The documented routes whose method and template match this request.
fn matching<'a>(routes: &'a [Documented], method: &str, path: &[&str]) -> Vec<&'a Documented> {
    routes
        .iter()
        .filter(|r| {
            r.method == method
                && r.segments.len() == path.len()
                && r.segments.iter().zip(path).all(|(template, segment)| is_parameter(template) || template == segment)
        })
        .collect()
}

/// `template` with each parameter replaced by `value(name)`.
fn concrete(template: &[&'static str], value: impl Fn(&str) -> &'static str) -> Vec<&'static str> {
    template.iter().map(|s| if is_parameter(s) { value(&s[1..s.len() - 1]) } else { *s }).collect()
}

#[test]
fn the_table_lists_each_route_once_with_a_unique_operation_id() {
    let mut seen = BTreeSet::new();
    let mut operations = BTreeSet::new();
    for id in RouteId::ALL {
        let spec = id.spec();
        assert!(seen.insert((spec.method, spec.template)), "{id:?}: {} {} is listed twice", spec.method, spec.template);
        assert!(operations.insert(spec.operation_id), "{id:?}: operationId {} is used twice; OpenAPI needs them unique", spec.operation_id);
        assert!(spec.template.starts_with('/'), "{id:?}: a template is an absolute path");
    }
}

#[test]
fn every_documented_route_is_recognized_as_itself() {
    for route in documented() {
        let method: Method = route.method.parse().expect("a method name");
        let path = concrete(&route.segments, |_| "probe-name");
        let found = recognize(&method, &path).map(|m| m.id);
        assert_eq!(found, Some(route.id), "{} /{} must be recognized as the route the document lists", route.method, path.join("/"));
        // Key Vault's quirk: an empty version segment is the latest version.
        if route.segments.iter().any(|s| s.ends_with("-version}")) {
            let latest = concrete(&route.segments, |name| if name.ends_with("-version") { "" } else { "probe-name" });
            let m = recognize(&method, &latest)
                .unwrap_or_else(|| panic!("{} /{} (empty version) is recognized", route.method, latest.join("/")));
            assert_eq!((m.id, m.version), (route.id, None), "an empty version segment means the latest version");
            let versioned = recognize(&method, &concrete(&route.segments, |_| "v1")).expect("a versioned path is recognized");
            assert_eq!(versioned.version, Some("v1"), "the version segment is the route's version");
        }
    }
}

/// Candidate segments: at each position, the literals the document uses there and next to it
/// (or every literal, for short paths), a name and the empty segment.
fn alphabets(routes: &[Documented], length: usize) -> Vec<Vec<&'static str>> {
    let all: BTreeSet<&'static str> = routes.iter().flat_map(|r| r.segments.iter().copied()).filter(|s| !is_parameter(s)).collect();
    let at = |position: usize| -> BTreeSet<&'static str> {
        routes.iter().filter_map(|r| r.segments.get(position).copied()).filter(|s| !is_parameter(s)).collect()
    };
    (0..length)
        .map(|position| {
            let mut alphabet: BTreeSet<&'static str> = match length {
                1..=3 => all.clone(),
                4 => {
                    let mut near = at(position);
                    near.extend(at(position + 1));
                    if position > 0 {
                        near.extend(at(position - 1));
                    }
                    near
                }
                _ => at(position),
            };
            alphabet.extend(["some-name", ""]);
            alphabet.into_iter().collect()
        })
        .collect()
}

#[test]
fn the_recognizer_answers_only_what_the_document_lists() {
    let routes = documented();
    let mut tried = 0usize;
    for length in 1..=5 {
        let alphabets = alphabets(&routes, length);
        let mut indexes = vec![0usize; length];
        loop {
            let path: Vec<&str> = indexes.iter().enumerate().map(|(position, &i)| alphabets[position][i]).collect();
            for method_name in METHODS {
                tried += 1;
                let method: Method = method_name.parse().expect("a method name");
                let listed = matching(&routes, method_name, &path);
                match recognize(&method, &path) {
                    None => assert!(
                        listed.is_empty(),
                        "{method_name} /{} is documented ({:?}) but the server has no route for it",
                        path.join("/"),
                        listed.iter().map(|r| r.id).collect::<Vec<_>>()
                    ),
                    Some(m) => {
                        let best = listed.iter().max_by_key(|r| specificity(&r.segments)).unwrap_or_else(|| {
                            panic!("{method_name} /{} is answered as {:?} but the document lists no such route", path.join("/"), m.id)
                        });
                        let ties = listed.iter().filter(|r| specificity(&r.segments) == specificity(&best.segments)).count();
                        assert_eq!(ties, 1, "{method_name} /{}: two documented templates match it equally", path.join("/"));
                        assert_eq!(
                            m.id,
                            best.id,
                            "{method_name} /{}: the most specific documented template is the route answered",
                            path.join("/")
                        );
                    }
                }
            }
            if !advance(&mut indexes, &alphabets) {
                break;
            }
        }
    }
    assert!(tried > 100_000, "the search tried {tried} requests: enough to cover every combination of the document's segments");
}

/// The next path of this length, like an odometer; `false` after the last.
fn advance(indexes: &mut [usize], alphabets: &[Vec<&str>]) -> bool {
    for position in (0..indexes.len()).rev() {
        indexes[position] += 1;
        if indexes[position] < alphabets[position].len() {
            return true;
        }
        indexes[position] = 0;
    }
    false
}
