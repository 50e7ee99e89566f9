// @ts-check
// What every test file of the JavaScript SDK suite shares: the server's address and the two
// practice applications from the environment run.mjs sets, and their credentials.
//
// The clients run with the SDKs' defaults: no client options at all, so the api-version is each
// SDK's default and the challenge-resource check is on. The credential is the one place with
// settings: its authority is the practice token endpoint (`https://localhost:<port>`), with
// instance discovery off, because MSAL would otherwise ask login.microsoftonline.com whether that
// authority is known, and this machine is offline. The practice root reaches Node through
// NODE_EXTRA_CA_CERTS, which run.mjs sets; `<vault>.localhost` resolves through the system
// resolver.

import { randomBytes } from "node:crypto";
import { ClientSecretCredential } from "@azure/identity";

/**
 * @param {string} name
 * @returns {string}
 */
function required(name) {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run the suite with \`node tests/sdk-js/run.mjs\``);
  return value;
}

export const port = Number(required("VAULTMORT_SDK_PORT"));
export const vault = required("VAULTMORT_SDK_VAULT");
export const secondVault = required("VAULTMORT_SDK_SECOND_VAULT");
export const tenant = required("VAULTMORT_SDK_TENANT");
export const caFile = required("VAULTMORT_SDK_CA");
export const vaultUrl = `https://${vault}.localhost:${port}`;
export const secondVaultUrl = `https://${secondVault}.localhost:${port}`;

/**
 * A credential of the practice application with every permission (`sdk-js-app`), or of the one
 * with secrets get and list only (`sdk-js-limited`).
 * @param {"app" | "limited"} which
 */
export function credential(which = "app") {
  const [clientId, clientSecret] =
    which === "app"
      ? [required("VAULTMORT_SDK_CLIENT_ID"), required("VAULTMORT_SDK_CLIENT_SECRET")]
      : [required("VAULTMORT_SDK_LIMITED_CLIENT_ID"), required("VAULTMORT_SDK_LIMITED_CLIENT_SECRET")];
  return new ClientSecretCredential(tenant, clientId, clientSecret, {
    authorityHost: `https://localhost:${port}`,
    disableInstanceDiscovery: true,
  });
}

/**
 * A name no other test (or earlier run against the same vault) uses.
 * @param {string} prefix
 */
export function unique(prefix) {
  return `${prefix}-${randomBytes(5).toString("hex")}`;
}

/**
 * Collects every item of a paged iterator (following each nextLink).
 * @template T
 * @param {AsyncIterable<T>} items
 * @returns {Promise<T[]>}
 */
export async function all(items) {
  const out = [];
  for await (const item of items) out.push(item);
  return out;
}
