// The one seam between the UI and the backend.
//
// Views call `host.*` and get plain values back; every failure arrives as a thrown `HostError`
// with an Azure-style `code` and a human `message`. Only this directory imports `@tauri-apps/*`
// or the generated `../bindings`, so the same views run in a plain browser against the in-memory
// fake (./fake.ts) for development and screenshot tests.
//
// Left out on purpose: caching, retries and any business rule. The backend decides; the UI shows.

import type {
  CertificateItem,
  CreateKeyInput,
  CreateVaultInput,
  DeletedItem,
  ExpiringItem,
  GroupView,
  KeyItem,
  SecretItem,
  SelfSignedInput,
  SessionStatus,
  SetSecretInput,
  VaultView,
} from "./types";
import { fakeHost } from "./fake";
import { tauriHost } from "./tauri";

export type * from "./types";
export { HostError, toHostError } from "./error";

/** Everything the UI can ask of the backend: one method per command of the contract. */
export interface Host {
  /** "tauri" inside the desktop app, "fake" in a plain browser. */
  readonly kind: "tauri" | "fake";
  sessionStatus(): Promise<SessionStatus>;
  unlock(passphrase: string): Promise<SessionStatus>;
  listGroups(): Promise<GroupView[]>;
  createGroup(name: string, location: string): Promise<GroupView>;
  /** null when the name is valid, else the rule it breaks. */
  checkVaultName(name: string): Promise<string | null>;
  listVaults(): Promise<VaultView[]>;
  createVault(input: CreateVaultInput): Promise<VaultView>;
  listSecrets(vault: string): Promise<SecretItem[]>;
  setSecret(vault: string, input: SetSecretInput): Promise<SecretItem>;
  revealSecret(vault: string, name: string, version: string | null): Promise<string>;
  deleteSecret(vault: string, name: string): Promise<SecretItem>;
  listDeletedSecrets(vault: string): Promise<DeletedItem[]>;
  recoverSecret(vault: string, name: string): Promise<SecretItem>;
  listKeys(vault: string): Promise<KeyItem[]>;
  createKey(vault: string, input: CreateKeyInput): Promise<KeyItem>;
  /** digest and the returned signature are base64. */
  signDigest(vault: string, name: string, algorithm: string, digest: string): Promise<string>;
  verifyDigest(vault: string, name: string, algorithm: string, digest: string, signature: string): Promise<boolean>;
  listCertificates(vault: string): Promise<CertificateItem[]>;
  createSelfSignedCertificate(vault: string, input: SelfSignedInput): Promise<CertificateItem>;
  expiringSoon(withinDays: number): Promise<ExpiringItem[]>;
}

/** True inside the Tauri webview: its IPC bootstrap defines `window.__TAURI_INTERNALS__`. */
function insideTauri(): boolean {
  return typeof window !== "undefined" && "__TAURI_INTERNALS__" in window;
}

export const host: Host = insideTauri() ? tauriHost : fakeHost(new URLSearchParams(location.search).get("fake"));
