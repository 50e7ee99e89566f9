// The one seam between the UI and the backend.
//
// Views call `host.*` and get plain values back; every failure arrives as a thrown `HostError`
// with an Azure-style `code` and a human `message`. Only this directory imports `@tauri-apps/*`
// or the generated `../bindings`. Opened as a plain web page, the UI gets ./outside.ts, which
// answers every call with a `NoBackend` error.
//
// The command methods are derived from the generated bindings: one method per backend command,
// same name and arguments, resolving to the command's data. A command added in Rust appears here
// (and in the type checker) without hand-written glue. Besides the commands, the host picks files
// to save to (the dialog plugin's save dialog).
//
// Left out on purpose: caching, retries and any business rule. The backend decides; the UI shows.

import type { commands } from "../bindings";
import { outsideHost } from "./outside";
import { tauriHost } from "./tauri";

export type * from "./types";
export { HostError, toHostError } from "./error";

type Commands = typeof commands;
/** The data of a bindings result: `{status:"ok", data}` becomes `data`. */
type Data<R> = Extract<R, { status: "ok" }> extends { data: infer D } ? D : never;
/** A bindings function, resolving to its data and throwing `HostError` otherwise. */
type Unwrapped<F> = F extends (...args: infer A) => Promise<infer R> ? (...args: A) => Promise<Data<R>> : never;

/** One method per backend command. */
export type CommandMethods = { [K in keyof Commands]: Unwrapped<Commands[K]> };

/** A file type offered in the save dialog. */
export type FileFilter = { name: string; extensions: string[] };

/** Everything the UI can ask of the backend. */
export interface Host extends CommandMethods {
  /** "tauri" inside the desktop app, "outside" in a plain browser (no backend). */
  readonly kind: "tauri" | "outside";
  /** Asks where to save a download; null when the person cancels. */
  pickSavePath(defaultName: string, filters: FileFilter[]): Promise<string | null>;
}

/** True inside the Tauri webview: its IPC bootstrap defines `window.__TAURI_INTERNALS__`. */
function insideTauri(): boolean {
  return typeof window !== "undefined" && "__TAURI_INTERNALS__" in window;
}

export const host: Host = insideTauri() ? tauriHost : outsideHost;
