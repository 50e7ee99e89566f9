//! `vaultmort byok wrap`: the HSM vendor's side of bring-your-own-key, played on this machine.
//!
//! In Azure's flow the customer's own on-premises HSM generates (or holds) the target key and
//! wraps it for the vault's key-exchange key with its vendor's BYOK tool. Here a second SoftHSM2
//! token stands in for that HSM: the simulated customer HSM, which is not the vault's HSM and
//! shares nothing with it. The wrapping itself is `vaultmort_pkcs11::byok::VendorTool`; this
//! module only finds or makes the vendor token, reads the input files and writes the outputs.
//!
//! The vendor token lives in `<home>/byok-vendor-hsm` (or `--vendor-hsm DIR`), a 0700 folder
//! made on first use with its own `softhsm2.conf` and token directory. Its PINs are generated
//! then and kept in `vendor-token.json` (0600) in that folder, because a simulated customer HSM
//! has nobody to type them; the folder is practice material, not part of the vault's store.
//!
//! The command never opens the home's store: one process can point SoftHSM at one configuration
//! only, and this process's is the vendor token's.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use vaultmort_certs::key_file;
use vaultmort_crypto::PublicKey;
use vaultmort_home::files::{FileKind, Sensitivity};
use vaultmort_pkcs11::TokenSelector;
use vaultmort_pkcs11::byok::{TransferBlob, VendorTool, Wrapped};
use vaultmort_pkcs11::module::Token;
use vaultmort_pkcs11::softhsm::{self, SoftHsmDir};
use zeroize::Zeroizing;

use crate::CliError;
use crate::args::ByokCommand;
use crate::commands::{read_file, write_new_file};

/// The vendor token's folder inside the home when `--vendor-hsm` is not given.
pub const VENDOR_DIR: &str = "byok-vendor-hsm";
/// The vendor token's label.
const VENDOR_LABEL: &str = "byok-vendor";
/// The file in the vendor folder that keeps the token's PINs.
const PIN_FILE: &str = "vendor-token.json";

fn bad(message: impl Into<String>) -> CliError {
    CliError { code: "BadParameter".into(), message: message.into() }
}

fn hsm_error(e: vaultmort_crypto::CryptoError) -> CliError {
    CliError { code: "HsmUnavailable".into(), message: format!("the simulated vendor HSM: {e}") }
}

/// The vendor token's PINs, as kept in [`PIN_FILE`].
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct VendorPins {
    label: String,
    user_pin: Zeroizing<String>,
    so_pin: Zeroizing<String>,
}

fn random_pin() -> Result<Zeroizing<String>, CliError> {
    Ok(Zeroizing::new(hex::encode(vaultmort_crypto::aead::random_bytes(16)?)))
}

/// Opens the vendor token in `dir`, making the folder, the token and its PIN file on first use.
fn vendor_token(dir: &Path) -> Result<Token, CliError> {
    let softhsm = SoftHsmDir::new(dir);
    // Makes `dir` 0700 (and its token folder) and points this process's SoftHSM at it.
    softhsm.activate().map_err(hsm_error)?;
    let pin_file = dir.join(PIN_FILE);
    let pins = if pin_file.exists() {
        let bytes = Zeroizing::new(read_file(&pin_file, FileKind::Json)?);
        let pins = serde_json::from_slice::<VendorPins>(&bytes)
            .map_err(|e| CliError::file(&pin_file, format!("not the vendor token's PIN file: {e}")))?;
        // A first run that stopped between writing the PINs and making the token.
        if !softhsm.has_token(&pins.label).map_err(hsm_error)? {
            softhsm.init_token(&pins.label, &pins.so_pin, &pins.user_pin).map_err(hsm_error)?;
        }
        pins
    } else {
        if softhsm.has_token(VENDOR_LABEL).map_err(hsm_error)? {
            return Err(CliError {
                code: "HsmUnavailable".into(),
                message: format!(
                    "{} holds a vendor token but not its PIN file {PIN_FILE}; remove the folder to start a new simulated vendor HSM",
                    dir.display()
                ),
            });
        }
        let pins = VendorPins { label: VENDOR_LABEL.into(), user_pin: random_pin()?, so_pin: random_pin()? };
        let text = Zeroizing::new(serde_json::to_vec_pretty(&pins).map_err(|e| CliError::file(&pin_file, e))?);
        // Written before the token is made, so that a token never exists without its PINs.
        write_new_file(&pin_file, &text, Sensitivity::Private)?;
        softhsm.init_token(&pins.label, &pins.so_pin, &pins.user_pin).map_err(hsm_error)?;
        pins
    };
    Token::open(&softhsm::module_path(), &TokenSelector::Label(pins.label.clone()), &pins.user_pin).map_err(hsm_error)
}

fn vendor_dir(given: Option<PathBuf>) -> Result<PathBuf, CliError> {
    match given {
        Some(dir) => Ok(dir),
        None => Ok(vaultmort_home::default_home()?.join(VENDOR_DIR)),
    }
}

/// Runs a `byok` command.
pub fn run(command: ByokCommand) -> Result<Value, CliError> {
    let ByokCommand::Wrap { kek_file, kek_kid, kty, size, key_file, key_password, out, public_out, vendor_hsm } = command;
    if !kek_kid.starts_with("https://") || !kek_kid.contains("/keys/") {
        return Err(bad(format!(
            "--kek-kid '{kek_kid}' is not a key id; give the KEK's kid URL as `keyvault key show` prints it (https://<vault>.<host>/keys/<name>/<version>)"
        )));
    }
    let kek = key_file::public_key(&read_file(&kek_file, FileKind::Key)?)?;
    if !matches!(kek, PublicKey::Rsa { .. }) {
        return Err(bad(format!("{} holds an EC public key; a key-exchange key is an RSA-HSM key", kek_file.display())));
    }
    for path in std::iter::once(&out).chain(public_out.as_ref()) {
        if path.exists() {
            return Err(vaultmort_home::files::FileError::Exists { path: path.display().to_string() }.into());
        }
    }
    // Read the target key before touching the vendor token, so bad input leaves nothing behind.
    let target = match (&key_file, size) {
        (Some(file), _) => {
            let bytes = Zeroizing::new(read_file(file, FileKind::Key)?);
            let text = std::str::from_utf8(&bytes).map_err(|_| CliError::file(file, "is not a PEM text file"))?;
            Some(key_file::pkcs8_from_pem(text, key_password.as_deref())?)
        }
        (None, Some(_)) => {
            if let Some(kty) = kty.as_deref().filter(|k| !k.eq_ignore_ascii_case("RSA") && !k.eq_ignore_ascii_case("RSA-HSM")) {
                return Err(bad(format!("--kty '{kty}': the vendor tool generates RSA target keys; bring an EC key with --key-file")));
            }
            None
        }
        (None, None) => return Err(bad("say which target key: --kty RSA --size 2048|3072|4096, or --key-file")),
    };
    let dir = vendor_dir(vendor_hsm)?;
    let token = vendor_token(&dir)?;
    let generator = format!(
        "Vaultmort byok wrap; simulated vendor HSM: SoftHSM2 token {} (serial {})",
        token.identity().label,
        token.identity().serial
    );
    let tool = VendorTool::new(token);
    let Wrapped { ciphertext, public } = match (&target, size) {
        (Some(pkcs8), _) => tool.wrap_pkcs8(&kek, pkcs8)?,
        (None, Some(bits)) => tool.wrap_generated(&kek, bits)?,
        (None, None) => return Err(bad("say which target key: --kty RSA --size 2048|3072|4096, or --key-file")),
    };
    let blob = TransferBlob::new(&kek_kid, &ciphertext, &generator);
    let text = serde_json::to_vec_pretty(&blob).map_err(|e| CliError::file(&out, e))?;
    // The blob is only readable by the KEK's HSM, but it is still key material in transit.
    write_new_file(&out, &text, Sensitivity::Private)?;
    if let Some(path) = &public_out {
        write_new_file(path, public.to_spki_pem()?.as_bytes(), Sensitivity::Public)?;
    }
    Ok(json!({
        "file": out.display().to_string(),
        "generator": generator,
        "kek": kek_kid,
        "publicKeyFile": public_out.map(|p| p.display().to_string()),
        "targetKey": public.spec().describe(),
        "vendorHsm": dir.display().to_string(),
    }))
}
