//! `vaultmort-desktop`: the desktop app's executable. Everything is in the library's `run`.
#![forbid(unsafe_code)]
// No console window next to the app in Windows release builds; no effect elsewhere.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() -> std::process::ExitCode {
    vaultmort_desktop::run()
}
