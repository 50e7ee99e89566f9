// How every host failure looks to the views: one error type with an Azure-style code.

/** A failed host call: the backend's `CommandError`, or a framework/transport failure mapped to one. */
export class HostError extends Error {
  readonly code: string;
  /** Key Vault's inner code where it gives one (`ForbiddenByFirewall`), as the REST API and CLI show it. */
  readonly innerCode: string | null;
  constructor(code: string, message: string, innerCode: string | null = null) {
    super(message);
    this.name = "HostError";
    this.code = code;
    this.innerCode = innerCode;
  }
  /** The text the alert region shows: `Code: message`, or `Code (InnerCode): message`. */
  override toString(): string {
    return this.innerCode ? `${this.code} (${this.innerCode}): ${this.message}` : `${this.code}: ${this.message}`;
  }
}

/**
 * Turns anything a call can fail with into a `HostError`:
 * - a `CommandError` object `{code, innerCode, message}` (the `{status:"error"}` branch of the bindings) keeps all three;
 * - a plain string (Tauri rejects ACL denials and bad arguments with a bare string) becomes `IpcError`;
 * - a JS `Error` (the bindings rethrow these; e.g. no IPC at all) becomes `IpcError` with its message;
 * - anything else becomes `Unknown` with its JSON form.
 */
export function toHostError(e: unknown): HostError {
  if (e instanceof HostError) return e;
  if (typeof e === "string") return new HostError("IpcError", e);
  if (typeof e === "object" && e !== null && "code" in e && typeof e.code === "string") {
    const message = "message" in e && typeof e.message === "string" ? e.message : "";
    const innerCode = "innerCode" in e && typeof e.innerCode === "string" ? e.innerCode : null;
    return new HostError(e.code, message, innerCode);
  }
  if (e instanceof Error) return new HostError("IpcError", e.message);
  let text: string;
  try {
    text = JSON.stringify(e) ?? String(e);
  } catch {
    text = String(e);
  }
  return new HostError("Unknown", text);
}
