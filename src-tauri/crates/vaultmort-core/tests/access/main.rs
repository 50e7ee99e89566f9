//! Access control end to end in the core, over the real SQLite store: the permission matrix in
//! both permission models (issue 5, must-show 1), the management plane (2), the firewall (3) and
//! the access log (4). Each test builds its own store in a temporary folder. Beside them, the
//! settings that two processes sharing one store must agree on at once (issue 11, point 2), and
//! the expiring-soon report of a caller who can read only some vaults (issue 12, item 5).

mod support;

mod directory;
mod expiring;
mod firewall;
mod log;
mod management;
mod matrix;
mod shared_settings;
