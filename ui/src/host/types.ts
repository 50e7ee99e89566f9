// The DTOs the backend commands take and return, re-exported for the views from the generated
// ../bindings (src-tauri/src/dto*.rs through tauri-specta), so a change on the Rust side shows up
// as a type error in the UI. Dates are ISO-8601 strings; bytes are base64 strings.

export type * from "../bindings";
