//! Build script: rebuilds the crate when a file under `migrations/` is added or changed, since
//! `sqlx::migrate!` embeds that directory at compile time but cannot ask the compiler to watch it.
#![forbid(unsafe_code)]

fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
