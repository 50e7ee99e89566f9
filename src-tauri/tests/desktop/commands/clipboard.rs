//! `copy_secret`: the value goes to the clipboard and leaves it again after the delay, unless
//! something else was copied meanwhile. A `MemoryClipboard` stands in for the system one.

use std::sync::Arc;
use std::time::Duration;

use serde_json::json;
use vaultmort_desktop::clipboard::{Clipboard, MemoryClipboard};

use crate::support::TestApp;

/// The delay the tests use instead of 30 s.
const CLEAR_AFTER: Duration = Duration::from_millis(300);

fn app_with_clipboard() -> (TestApp, Arc<MemoryClipboard>) {
    let app = TestApp::with_state(|state| state.with_clipboard_clear_after(CLEAR_AFTER));
    let clipboard = Arc::new(MemoryClipboard::default());
    app.state().set_clipboard(clipboard.clone());
    app.unlock();
    app.vault("clip-kv");
    app.ok("set_secret", json!({ "vault": "clip-kv", "input": { "name": "pw", "value": "hunter2", "contentType": null } }));
    (app, clipboard)
}

fn text(clipboard: &MemoryClipboard) -> String {
    clipboard.read_text().expect("the memory clipboard always reads").as_str().to_string()
}

#[test]
fn a_copied_secret_is_cleared_after_the_delay() {
    let (app, clipboard) = app_with_clipboard();
    let seconds = app.ok("copy_secret", json!({ "vault": "clip-kv", "name": "pw", "version": null }));
    assert_eq!(seconds, 1, "the UI is told the delay in whole seconds, rounded up so it never says 0 s");
    assert_eq!(text(&clipboard), "hunter2", "the value is on the clipboard right after the copy");
    std::thread::sleep(CLEAR_AFTER * 3);
    assert_eq!(text(&clipboard), "", "the value must not stay on the clipboard after the delay");
}

#[test]
fn the_clipboard_is_left_alone_when_something_else_was_copied() {
    let (app, clipboard) = app_with_clipboard();
    app.ok("copy_secret", json!({ "vault": "clip-kv", "name": "pw", "version": null }));
    clipboard.write_text("something the person copied since").expect("write");
    std::thread::sleep(CLEAR_AFTER * 3);
    assert_eq!(text(&clipboard), "something the person copied since", "clearing must not destroy what the person copied after the secret");
}

#[test]
fn without_a_clipboard_the_copy_is_refused() {
    let app = TestApp::unlocked();
    app.vault("noclip-kv");
    app.ok("set_secret", json!({ "vault": "noclip-kv", "input": { "name": "pw", "value": "x", "contentType": null } }));
    let code = app.error_code("copy_secret", json!({ "vault": "noclip-kv", "name": "pw", "version": null }));
    assert_eq!(code, "ClipboardUnavailable", "a session without a clipboard says so rather than pretending to copy");
}
