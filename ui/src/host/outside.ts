// The host outside the desktop app (the UI opened as a plain web page): there is no backend, so
// every call fails with `NoBackend` and a message saying how to start the app. The views then
// show that error where their data would be; nothing pretends to be a vault.

import { HostError } from "./error";
import type { Host } from "./index";

const refusal = () =>
  Promise.reject(new HostError("NoBackend", "This page has no Vaultmort backend: the UI runs inside the desktop app (start it with `cargo xtask run`)."));

export const outsideHost: Host = new Proxy({ kind: "outside" } as Host, {
  get(target, property) {
    if (property === "kind") return "outside";
    if (property === "then") return undefined; // Not a promise.
    return Reflect.get(target, property) ?? refusal;
  },
});
