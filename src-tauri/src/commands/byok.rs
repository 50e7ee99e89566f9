//! Bring your own key: the BYOK wizard's vendor step. Steps 1, 2 and 4 are `create_key` (an
//! RSA-HSM key whose only operation is `import`), `save_public_key` and `import_key` with a
//! `.byok` file; step 3, the customer's on-premises HSM wrapping a target key for the KEK, is
//! `vaultmort byok wrap` run as a child process (see [`crate::vendor_tool`]).

use std::ffi::OsString;
use std::io::Write;
use std::path::{Path, PathBuf};

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use tauri::State;
use vaultmort_certs::key_file;
use vaultmort_home::files::FileKind;
use zeroize::Zeroizing;

use crate::dto::{ByokWrapInput, ByokWrapView, KeyItem};
use crate::error::CommandError;
use crate::files::{Sensitivity, received_file, save};
use crate::state::AppState;
use crate::vendor_tool;

/// The vendor token's folder inside the home, as `vaultmort byok wrap` uses by default.
const VENDOR_HSM_DIR: &str = "byok-vendor-hsm";

/// The folder the wizard suggests for the vendor step's files: `<home>/byok`.
#[tauri::command]
#[specta::specta]
pub async fn byok_default_folder(state: State<'_, AppState>) -> Result<String, CommandError> {
    Ok(state.home().join("byok").display().to_string())
}

/// The vendor step: writes the KEK's public key to `input.folder`, then runs `vaultmort byok
/// wrap` to generate (or take) the target key in a simulated vendor HSM and wrap it for KEK
/// `kek` of `vault`. Returns where the `.byok` file and the target's public key went, and the
/// `.byok` bytes for the import step. The vault's store is not changed.
#[tauri::command]
#[specta::specta]
pub async fn byok_wrap(state: State<'_, AppState>, vault: String, kek: String, input: ByokWrapInput) -> Result<ByokWrapView, CommandError> {
    let target_name = input.target_name.trim().to_string();
    if target_name.is_empty() || target_name.contains(['/', '\\']) || target_name.starts_with('.') {
        return Err(CommandError::bad_parameter("enter a name for the target key's files (no slashes, not starting with a dot)"));
    }
    let folder = PathBuf::from(input.folder.trim());
    if !folder.is_absolute() {
        return Err(CommandError::bad_parameter(format!("the folder '{}' is not an absolute path", folder.display())));
    }
    // An existing target key is read (and opened with its password) here, and reaches the
    // child as a plain PKCS#8 PEM in a private temporary file: a password on the child's command
    // line would be readable by every user of the machine.
    let target_key = match input.target_key.as_deref() {
        Some(data) => {
            let bytes = Zeroizing::new(received_file(data, FileKind::Key)?);
            let text = std::str::from_utf8(&bytes).map_err(|_| CommandError::bad_parameter("the target key's file is not PEM text"))?;
            let password = input.target_password.map(Zeroizing::new);
            let pkcs8 = key_file::pkcs8_from_pem(text, password.as_deref().map(String::as_str))?;
            Some(Zeroizing::new(pem::encode(&pem::Pem::new("PRIVATE KEY", pkcs8.to_vec()))))
        }
        None if input.target_size.is_none() => {
            return Err(CommandError::bad_parameter("choose the target key: a size to generate, or a PEM file"));
        }
        None => None,
    };
    let private_dir = state.home().to_path_buf();
    let timeout = state.vendor_timeout();
    let program = state.vendor_program()?;
    let key = state.core()?.get_key(&state.caller(), &vault, &kek, None).await?;
    let kek_pem = key.public.to_spki_pem()?;
    let kek_kid = KeyItem::from(key).kid;
    let vendor_hsm = state.home().join(VENDOR_HSM_DIR);

    let work = move || -> Result<ByokWrapView, CommandError> {
        std::fs::create_dir_all(&folder)
            .map_err(|error| CommandError::new("FileNotWritable", format!("cannot make the folder {}: {error}", folder.display())))?;
        let kek_file = folder.join(format!("{kek}-kek-public.pem"));
        save(&kek_file.display().to_string(), kek_pem.as_bytes(), Sensitivity::Public)?;
        let byok_file = unused(&folder, &target_name, ".byok");
        let public_file = unused(&folder, &format!("{target_name}-public"), ".pem");

        let mut args: Vec<OsString> = ["byok", "wrap", "--output", "json", "--kek-file"].map(OsString::from).into();
        args.push(kek_file.clone().into());
        args.extend(["--kek-kid".into(), OsString::from(&kek_kid), "--out".into(), byok_file.clone().into()]);
        args.extend(["--public-out".into(), public_file.clone().into(), "--vendor-hsm".into(), vendor_hsm.into()]);
        // The target PEM goes to the child through a temporary file (0600) in the home, never
        // in a shared temporary folder, removed as soon as the child has ended.
        let mut target_file = None;
        match (&target_key, input.target_size) {
            (Some(pem), _) => {
                let mut file =
                    tempfile::Builder::new().prefix(".byok-target-").suffix(".pem").tempfile_in(&private_dir).map_err(|error| {
                        CommandError::new("FileNotWritable", format!("cannot make a private temporary file for the target key: {error}"))
                    })?;
                file.write_all(pem.as_bytes()).and_then(|()| file.flush()).map_err(|error| {
                    CommandError::new("FileNotWritable", format!("cannot write the target key's temporary file: {error}"))
                })?;
                args.extend(["--key-file".into(), file.path().into()]);
                target_file = Some(file);
            }
            (None, Some(size)) => args.extend(["--kty".into(), "RSA".into(), "--size".into(), size.to_string().into()]),
            // Refused before anything was written, above.
            (None, None) => {}
        }
        let answer = vendor_tool::run_json(&program, &args, timeout);
        drop(target_file);
        let answer = answer?;
        let text = |field: &str| answer[field].as_str().unwrap_or_default().to_string();
        let transfer = std::fs::read(&byok_file).map_err(|error| {
            CommandError::new("VendorToolFailed", format!("the vendor tool did not leave {}: {error}", byok_file.display()))
        })?;
        Ok(ByokWrapView {
            byok_file: byok_file.display().to_string(),
            public_key_file: public_file.display().to_string(),
            kek_file: kek_file.display().to_string(),
            kek_kid,
            target_key: text("targetKey"),
            generator: text("generator"),
            vendor_hsm: text("vendorHsm"),
            transfer: STANDARD.encode(transfer),
        })
    };
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|error| CommandError::new("VendorToolFailed", format!("the vendor step stopped unexpectedly: {error}")))?
}

/// `<folder>/<stem><ext>`, or with `-2`, `-3`, ... before the extension when that is taken, so
/// that a second run never overwrites the files of the first.
fn unused(folder: &Path, stem: &str, ext: &str) -> PathBuf {
    let first = folder.join(format!("{stem}{ext}"));
    if !first.exists() {
        return first;
    }
    (2..).map(|n| folder.join(format!("{stem}-{n}{ext}"))).find(|path| !path.exists()).unwrap_or(first)
}
