//! Build script: reads tauri.conf.json, the icon and capabilities/, and generates the
//! `allow-<command>` / `deny-<command>` permissions for the app's own commands.

include!("src/command_names.rs");

fn main() {
    // `generate_context!` embeds ../ui/dist; notice files added to or removed from the bundle.
    println!("cargo:rerun-if-changed=../ui/dist");
    if !std::path::Path::new("../ui/dist/index.html").exists() {
        println!("cargo:warning=ui/dist/index.html is missing: the window will be empty; build the UI first (`cargo xtask desktop` does)");
    }
    let manifest = tauri_build::AppManifest::new().commands(COMMANDS);
    tauri_build::try_build(tauri_build::Attributes::new().app_manifest(manifest))
        .expect("tauri.conf.json, the icon and capabilities/ must be valid");
}
