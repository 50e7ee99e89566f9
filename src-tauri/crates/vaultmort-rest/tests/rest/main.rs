//! The REST door end to end: a real server on 127.0.0.1:0 with TLS from the practice CA, driven
//! by reqwest trusting only the practice root. Modules mirror `src`.

mod api_version;
mod auth;
mod body;
mod certificate_routes;
mod connection;
mod errors;
mod launch;
mod management_routes;
mod openapi;
mod route_table;
mod routes;
mod support;
mod throttle;
mod token;
