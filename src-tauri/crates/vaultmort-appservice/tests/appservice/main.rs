//! The App Service front end end to end: a throwaway home with web apps, the front end on two
//! loopback ports, and openssl (`s_client`, `x509`, `verify`) as the referee of what each host
//! name is served with. Modules mirror `src`; `front_end` covers the crate root.

mod default_certificate;
mod front_end;
mod page;
mod reload;
mod sites;
mod support;
mod tls;
