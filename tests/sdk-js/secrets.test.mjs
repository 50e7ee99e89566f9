// @ts-check
// @azure/keyvault-secrets: SecretClient against vaultmort serve, at the SDK's defaults.

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { SecretClient } from "@azure/keyvault-secrets";
import { all, credential, secondVaultUrl, unique, vaultUrl } from "./harness.mjs";

const client = new SecretClient(vaultUrl, credential());

describe("SecretClient", () => {
  test("set, get the latest and an older version, list the versions, update properties", async () => {
    const name = unique("js-secret");
    const first = await client.setSecret(name, "one", { contentType: "text/plain", tags: { env: "dev" } });
    assert.equal(first.value, "one", "set returns the value it stored");
    assert.equal(first.properties.contentType, "text/plain", "the content type is kept");
    assert.deepEqual(first.properties.tags, { env: "dev" }, "the tags are kept");
    assert.ok(first.properties.id?.startsWith(`${vaultUrl}/secrets/${name}/`), `the id names the vault URL the client used: ${first.properties.id}`);
    assert.ok(first.properties.version, "a new secret has a version");
    assert.ok(first.properties.createdOn instanceof Date, "the SDK parses the created time into a Date");

    const second = await client.setSecret(name, "two");
    assert.notEqual(second.properties.version, first.properties.version, "setting again makes a new version");
    assert.equal((await client.getSecret(name)).value, "two", "get without a version reads the latest");
    const older = await client.getSecret(name, { version: first.properties.version });
    assert.equal(older.value, "one", "get with a version reads that version");
    assert.equal(older.properties.version, first.properties.version, "and says which version it read");

    const versions = await all(client.listPropertiesOfSecretVersions(name));
    assert.deepEqual(
      new Set(versions.map((v) => v.version)),
      new Set([first.properties.version, second.properties.version]),
      "both versions are listed",
    );
    assert.ok(versions.every((v) => !("value" in v) || v.value === undefined), "a listing never carries values");

    const updated = await client.updateSecretProperties(name, first.properties.version ?? "", { enabled: false, tags: { a: "b" } });
    assert.equal(updated.enabled, false, "the older version is now disabled");
    assert.deepEqual(updated.tags, { a: "b" }, "the tags are replaced");
    assert.equal(updated.recoveryLevel, "Recoverable+Purgeable", "a vault with soft delete and no purge protection");
    assert.equal((await client.getSecret(name)).value, "two", "disabling an older version leaves the latest readable");
    await assert.rejects(
      client.getSecret(name, { version: first.properties.version }),
      (/** @type {any} */ error) => {
        assert.equal(error.statusCode, 403, "a disabled version's value cannot be read");
        assert.match(error.message, /disabled/, "the message says why");
        return true;
      },
    );
  });

  // Key Vault answers `{"code":"Forbidden","message":"Operation get is not allowed on a disabled
  // secret.","innererror":{"code":"SecretDisabled"}}`.
  test("a disabled version is refused with Key Vault's codes: Forbidden, inner SecretDisabled", async () => {
    const name = unique("js-disabled");
    const first = await client.setSecret(name, "one");
    await client.updateSecretProperties(name, first.properties.version ?? "", { enabled: false });
    await assert.rejects(client.getSecret(name), (/** @type {any} */ error) => {
      assert.equal(error.statusCode, 403, "forbidden");
      assert.equal(error.code, "Forbidden", "the top-level code is Forbidden");
      assert.equal(error.details?.error?.innererror?.code ?? error.details?.error?.innerError?.code, "SecretDisabled", "the inner code names the cause");
      return true;
    });
  });

  test("listing 30 secrets follows nextLink, with the server's page size and with maxPageSize", async () => {
    const prefix = unique("js-page");
    for (let i = 0; i < 30; i++) await client.setSecret(`${prefix}-${i}`, "x");
    const names = (await all(client.listPropertiesOfSecrets())).map((p) => p.name).filter((n) => n.startsWith(prefix));
    assert.equal(names.length, 30, "more than one page (the server's default page holds 25) is followed through nextLink");
    assert.equal(new Set(names).size, 30, "no secret is listed twice across pages");

    let pages = 0;
    let found = 0;
    for await (const page of client.listPropertiesOfSecrets().byPage({ maxPageSize: 7 })) {
      pages += 1;
      assert.ok(page.length <= 7, `a page holds at most maxPageSize items, not ${page.length}`);
      found += page.filter((p) => p.name.startsWith(prefix)).length;
    }
    assert.equal(found, 30, "every page is followed with maxPageSize too");
    assert.ok(pages >= 5, `30 secrets need at least 5 pages of 7, got ${pages}`);
  });

  test("delete with the poller, get and list the deleted secret, recover, delete again and purge", async () => {
    const name = unique("js-deleted");
    await client.setSecret(name, "v");
    const poller = await client.beginDeleteSecret(name);
    const deleted = await poller.pollUntilDone();
    assert.equal(deleted.name, name, "the poller's result is the deleted secret");
    assert.ok(deleted.recoveryId?.endsWith(`/deletedsecrets/${name}`), `the recovery id names the deleted secret: ${deleted.recoveryId}`);
    assert.ok(deleted.scheduledPurgeDate instanceof Date, "a soft-deleted secret has a scheduled purge date");
    assert.ok(deleted.deletedOn instanceof Date, "and a deletion time");

    assert.equal((await client.getDeletedSecret(name)).name, name, "the deleted secret can be read back");
    const deletedNames = (await all(client.listDeletedSecrets())).map((d) => d.name);
    assert.ok(deletedNames.includes(name), "the deleted secret is listed");
    await assert.rejects(client.getSecret(name), (/** @type {any} */ e) => e.statusCode === 404, "a deleted secret is gone from the live list");

    const recovered = await (await client.beginRecoverDeletedSecret(name)).pollUntilDone();
    assert.equal(recovered.name, name, "the poller's result is the recovered secret");
    assert.equal((await client.getSecret(name)).value, "v", "the recovered secret has its value");

    await (await client.beginDeleteSecret(name)).pollUntilDone();
    await client.purgeDeletedSecret(name);
    await assert.rejects(
      client.getDeletedSecret(name),
      (/** @type {any} */ error) => error.statusCode === 404 && error.code === "SecretNotFound",
      "a purged secret is gone for good",
    );
  });

  test("backup, purge and restore into the same vault, and restore into a second vault", async () => {
    const name = unique("js-backup");
    await client.setSecret(name, "kept", { tags: { from: "backup" } });
    const backup = await client.backupSecret(name);
    assert.ok(backup instanceof Uint8Array && backup.length > 0, "a backup is a non-empty byte array");
    assert.ok(!Buffer.from(backup).toString("latin1").includes("kept"), "the backup blob does not carry the value in clear");

    await (await client.beginDeleteSecret(name)).pollUntilDone();
    await client.purgeDeletedSecret(name);
    const restored = await client.restoreSecretBackup(backup);
    assert.equal(restored.name, name, "restore names the secret it brought back");
    const read = await client.getSecret(name);
    assert.equal(read.value, "kept", "the restored secret has its value");
    assert.deepEqual(read.properties.tags, { from: "backup" }, "and its tags");

    const second = new SecretClient(secondVaultUrl, credential());
    const elsewhere = await second.restoreSecretBackup(backup);
    assert.ok(elsewhere.id?.startsWith(`${secondVaultUrl}/secrets/${name}/`), `restored into the second vault: ${elsewhere.id}`);
    assert.equal((await second.getSecret(name)).value, "kept", "a backup restores into another vault of the subscription");
  });

  test("a missing secret is a RestError 404 with Key Vault's code", async () => {
    await assert.rejects(
      client.getSecret(unique("never-set")),
      (/** @type {any} */ error) => {
        assert.equal(error.name, "RestError", "the SDK throws its RestError");
        assert.equal(error.statusCode, 404, "not found");
        assert.equal(error.code, "SecretNotFound", "Key Vault's error code reaches the caller");
        return true;
      },
    );
  });
});
