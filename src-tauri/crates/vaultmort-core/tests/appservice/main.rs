//! App Service practice through the core (issue 14): plans and web apps, the practice DNS check
//! of custom domains, App Service certificates (upload, Key Vault import with each of Azure's
//! rules), SNI bindings, the daily sync, and what the front end is given to serve. openssl makes
//! the PFX files and is the referee of what is stored; the access log is the referee of who read
//! the vault.

mod certificates;
mod dns;
mod served;
mod support;
mod webapps;
