//! The desktop's command error carries a core error exactly as the REST API answers it.

use vaultmort_desktop::CommandError;

/// One error of every core variant: the command error the UI receives (serialised, as the IPC
/// sends it) has the REST body's code and inner code, and `innerCode` is null where REST has no
/// `innererror`.
#[test]
fn every_core_error_reaches_the_ui_with_the_rest_apis_code_and_inner_code() {
    for (error, same) in vaultmort_core::one_error_of_every_kind().into_iter().zip(vaultmort_core::one_error_of_every_kind()) {
        let sent = serde_json::to_value(CommandError::from(error)).expect("a command error serialises");
        let answered = vaultmort_rest::ApiError::from(same).body();
        assert_eq!(sent["code"], answered["error"]["code"], "the code: {sent}");
        assert_eq!(sent["innerCode"].as_str(), answered["error"]["innererror"]["code"].as_str(), "the inner code: {sent} vs {answered}");
        assert_eq!(sent["message"], answered["error"]["message"], "the message (this one needs no JSON escapes): {sent}");
    }
}
