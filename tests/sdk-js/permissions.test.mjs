// @ts-check
// A refused permission, as the SDK reports it: `sdk-js-limited` holds only secrets get and list
// on the first vault (and nothing on the second). What its access policy grants works; the rest
// is a RestError with status 403 and Key Vault's code, and the message names the missing
// permission.

import assert from "node:assert/strict";
import { before, describe, test } from "node:test";
import { KeyClient } from "@azure/keyvault-keys";
import { SecretClient } from "@azure/keyvault-secrets";
import { all, credential, secondVaultUrl, unique, vaultUrl } from "./harness.mjs";

/**
 * Asserts that `error` is the SDK's RestError for a 403 Forbidden whose message names `permission`.
 * @param {any} error
 * @param {string} permission e.g. "secrets set"
 */
function forbidden(error, permission) {
  assert.equal(error.name, "RestError", `the SDK throws its RestError, not ${error.name}: ${error.message}`);
  assert.equal(error.statusCode, 403, "the server refuses with 403");
  assert.equal(error.code, "Forbidden", "Key Vault's code for a refused permission");
  assert.equal(error.details?.error?.code, "Forbidden", "the body carries the same code");
  assert.ok(error.message.includes(permission), `the message names the missing permission '${permission}': ${error.message}`);
  return true;
}

describe("a refused permission", () => {
  const name = unique("js-limited");
  const limitedSecrets = new SecretClient(vaultUrl, credential("limited"));

  before(async () => {
    await new SecretClient(vaultUrl, credential()).setSecret(name, "readable");
  });

  test("the limited application can get and list secrets: its access policy grants that", async () => {
    assert.equal((await limitedSecrets.getSecret(name)).value, "readable", "secrets get is granted");
    const names = (await all(limitedSecrets.listPropertiesOfSecrets())).map((p) => p.name);
    assert.ok(names.includes(name), "secrets list is granted");
  });

  test("the limited application cannot set a secret: RestError 403 Forbidden naming secrets set", async () => {
    await assert.rejects(limitedSecrets.setSecret(name, "overwritten"), (error) => forbidden(error, "secrets set"));
    assert.equal((await limitedSecrets.getSecret(name)).value, "readable", "the refused write changed nothing");
  });

  test("the limited application cannot get or list keys: RestError 403 Forbidden", async () => {
    const limitedKeys = new KeyClient(vaultUrl, credential("limited"));
    const keyName = unique("js-not-for-limited");
    await new KeyClient(vaultUrl, credential()).createEcKey(keyName, { curve: "P-256" });
    await assert.rejects(limitedKeys.getKey(keyName), (error) => forbidden(error, "keys get"));
    // A refused listing loses the server's message in the SDK: its pager (checkPagingRequest in
    // static-helpers/pagingHelpers.js) throws "Pagination failed with unexpected statusCode 403"
    // with the code from the body but no details. Status and code still tell the caller why.
    await assert.rejects(all(limitedKeys.listPropertiesOfKeys()), (/** @type {any} */ error) => {
      assert.equal(error.name, "RestError", "the SDK throws its RestError");
      assert.equal(error.statusCode, 403, "the server refuses the listing with 403");
      assert.equal(error.code, "Forbidden", "with Key Vault's code for a refused permission");
      return true;
    });
  });

  test("the limited application has no access to the second vault at all", async () => {
    const elsewhere = new SecretClient(secondVaultUrl, credential("limited"));
    await assert.rejects(elsewhere.getSecret(name), (error) => forbidden(error, "secrets get"));
  });

  // Key Vault adds an inner code that says which access model refused: `AccessDenied` for a
  // vault on access policies (`ForbiddenByRbac` under RBAC, `ForbiddenByFirewall` for the
  // firewall).
  test("the refusal carries Key Vault's inner code AccessDenied", async () => {
    await assert.rejects(limitedSecrets.setSecret(name, "overwritten"), (/** @type {any} */ error) => {
      assert.equal(error.statusCode, 403, "forbidden");
      const inner = error.details?.error?.innererror ?? error.details?.error?.innerError;
      assert.equal(inner?.code, "AccessDenied", "the inner code names the access-policy refusal");
      return true;
    });
  });
});
