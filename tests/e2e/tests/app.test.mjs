// @ts-check
// The desktop app in a real window, driven the way a user would: first-run unlock, a vault made
// through the wizard, a secret, a key signed and verified with, a self-signed certificate, the
// expiry overview, and a secret deleted and recovered. Every step checks what the screen shows.
// The steps share one app session and run in order; after the first failure the rest are skipped.

import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { screenshot, startApp } from "../support.mjs";

const PASSPHRASE = "correct horse battery staple";
const VAULT = "petdash-kv";
const GROUP = "petdash-rg";
const SECRET = "db-password";
const SECRET_VALUE = "s3cr3t-Value-42";
const KEY = "signer";
const CERT = "petdash-web";
const MASK = "••••••••";
/** RSA key and certificate generation are slow in a debug build on a busy machine. */
const SLOW_MS = 90_000;

/** @type {import("../support.mjs").Session} */
let session;
/** @type {WebdriverIO.Browser} */
let browser;
let failed = false;

before(async () => {
  session = await startApp();
  browser = session.browser;
});

after(async () => {
  await session?.close();
});

/**
 * A step of the flow; skipped once an earlier step failed, since it would build on its result.
 * @param {string} name
 * @param {() => Promise<void>} body
 */
function step(name, body) {
  test(name, async (t) => {
    if (failed) return t.skip("an earlier step failed");
    try {
      await body();
    } catch (error) {
      failed = true;
      throw error;
    }
  });
}

/** @param {string} id */
const byTestId = (id) => browser.$(`[data-testid="${id}"]`);

/** Fails with the alert's text when the app shows an error. */
async function assertNoAlert() {
  const alert = byTestId("alert");
  if (await alert.isDisplayed()) assert.fail(`the app shows an error: ${await alert.getText()}`);
}

/**
 * The element's text content, trimmed. (WebKitWebDriver's getText drops the mask's "•" bullets.)
 * @param {string} id
 */
async function textOf(id) {
  return String(await byTestId(id).getProperty("textContent")).trim();
}

/**
 * Waits until the element's text content is exactly `expected`.
 * @param {string} id
 * @param {string} expected
 * @param {number} [timeout]
 */
async function waitForText(id, expected, timeout = 15_000) {
  await byTestId(id).waitForDisplayed({ timeout });
  await browser.waitUntil(async () => (await textOf(id)) === expected, { timeout, interval: 100 }).catch(async () => {
    await assertNoAlert();
    assert.equal(await textOf(id), expected, `[data-testid="${id}"] shows "${expected}"`);
  });
}

/**
 * Waits for an element to appear, reporting an app error instead of a bare timeout.
 * @param {string} id
 * @param {number} [timeout]
 */
async function waitFor(id, timeout = 15_000) {
  const element = byTestId(id);
  await element.waitForDisplayed({ timeout, interval: 100 }).catch(async (error) => {
    await assertNoAlert();
    throw error;
  });
  return element;
}

/**
 * The texts of a table row's cells (WebKit's getText on a row runs them together).
 * @param {import("webdriverio").ChainablePromiseElement | WebdriverIO.Element} row
 */
async function cells(row) {
  const texts = [];
  for (const cell of await row.$$("th, td")) texts.push((await cell.getText()).trim());
  return texts;
}

/** @param {string} id */
async function waitGone(id, timeout = 15_000) {
  await byTestId(id).waitForExist({ timeout, reverse: true });
}

step("first run: the unlock view asks for a new passphrase and creates the store", async () => {
  // A window as big as the virtual screen, so the screenshots show the whole layout.
  await browser.setWindowSize(1280, 800).catch(() => {});
  assert.equal(await byTestId("unlock-submit").getText(), "Create store", "a fresh home offers to create a store");
  await byTestId("unlock-passphrase").setValue(PASSPHRASE);
  assert.match(await byTestId("unlock-strength").getText(), /^(Good|Strong)\./, "the strength hint rates the passphrase");
  await byTestId("unlock-confirm").setValue(PASSPHRASE);
  await screenshot(browser, "unlock");
  await byTestId("unlock-submit").click();
  await waitFor("vault-list", 60_000);
  assert.equal(await byTestId("unlock-view").isExisting(), false, "the unlock view is gone");
  await browser
    .waitUntil(async () => /No key vaults to display/.test(await byTestId("vault-list").getText()), { timeout: 15_000 })
    .catch(() => assert.fail("a new store shows no vaults"));
});

step("creates a vault and a new resource group through the wizard", async () => {
  await byTestId("create-vault-open").click();
  await (await waitFor("vault-name")).setValue(VAULT);
  await waitForText("vault-name-check", "✓ Valid name");
  await byTestId("vault-group").setValue(GROUP);
  assert.match(await byTestId("vault-group-note").getText(), /^New resource group: created in /, "the wizard says the group is new");
  await byTestId("create-vault-submit").click();
  // The wizard opens the new vault.
  await waitFor(`vault-blade-${VAULT}`, 30_000);
  await assertNoAlert();
});

step("lists the vault under its group and opens it", async () => {
  await byTestId("nav-vaults").click();
  const row = await waitFor(`vault-row-${VAULT}`);
  assert.match(await byTestId(`vault-group-${GROUP}`).getText(), new RegExp(`${GROUP} \\(1 vault\\)`), "the group heads the list");
  const [name, , tier] = await cells(row);
  assert.equal(name, VAULT, "the row shows the vault");
  assert.equal(tier, "Standard", "in the default pricing tier");
  assert.ok(await byTestId(`nav-group-${GROUP}`).isDisplayed(), "the navigation shows the new group");
  await screenshot(browser, "vault-list");
  await row.$("a").click();
  await waitFor(`vault-blade-${VAULT}`);
  assert.equal(await browser.$("#page-title").getText(), VAULT, "the blade is titled with the vault's name");
});

step("Secrets: creates a secret whose value shows only after Show", async () => {
  await byTestId("tab-secrets").click();
  await (await waitFor("secret-create-open")).click();
  await (await waitFor("secret-name")).setValue(SECRET);
  await byTestId("secret-value").setValue(SECRET_VALUE);
  await byTestId("secret-create-submit").click();
  await waitFor(`secret-row-${SECRET}`);
  const row = byTestId(`secret-row-${SECRET}`);
  assert.equal(await textOf(`secret-value-${SECRET}`), MASK, "the value is masked");
  assert.doesNotMatch(await row.getText(), new RegExp(SECRET_VALUE), "the value is nowhere in the row");
  assert.doesNotMatch(await browser.getPageSource(), new RegExp(SECRET_VALUE), "the value is nowhere on the page");
  await byTestId(`secret-reveal-${SECRET}`).click();
  await waitForText(`secret-value-${SECRET}`, SECRET_VALUE);
  assert.equal(await byTestId(`secret-reveal-${SECRET}`).getText(), "Hide", "the button now hides it again");
  await screenshot(browser, "secrets");
  await byTestId(`secret-reveal-${SECRET}`).click();
  await waitForText(`secret-value-${SECRET}`, MASK);
});

step("Keys: creates an RSA key, signs with it, and Verify says Valid", async () => {
  await byTestId("tab-keys").click();
  await (await waitFor("key-create-open")).click();
  await (await waitFor("key-name")).setValue(KEY);
  assert.equal(await byTestId("key-type").getValue(), "RSA", "RSA is the default key type");
  await byTestId("key-create-submit").click();
  const row = await waitFor(`key-row-${KEY}`, SLOW_MS);
  assert.equal((await cells(row))[1], "RSA", "the key is listed as RSA");
  await browser.waitUntil(async () => (await byTestId("tryit-key").getValue()) === KEY, { timeout: 10_000 });
  assert.match(await byTestId("tryit-alg").getValue(), /^(RS|PS)\d{3}$/, "an RSA algorithm is offered");
  await byTestId("tryit-sign").click();
  await byTestId("tryit-verify").waitForEnabled({ timeout: SLOW_MS });
  await assertNoAlert();
  assert.notEqual(await byTestId("tryit-signature").getText(), "—", "a signature is shown");
  await byTestId("tryit-verify").click();
  await waitForText("tryit-result", "Valid", SLOW_MS);
  await byTestId("tryit-result").scrollIntoView();
  await screenshot(browser, "keys-try-it");
});

step("Certificates: generates a self-signed certificate and lists it", async () => {
  await byTestId("tab-certificates").click();
  await (await waitFor("cert-create-open")).click();
  await (await waitFor("cert-name")).setValue(CERT);
  assert.equal(await byTestId("cert-subject").getValue(), `CN=${CERT}`, "the subject follows the name");
  await byTestId("cert-create-submit").click();
  const row = await waitFor(`cert-row-${CERT}`, SLOW_MS);
  const [name, subject, , , , daysLeft, status] = await cells(row);
  assert.equal(name, CERT, "the row shows the certificate");
  assert.equal(subject, `CN=${CERT}`, "and its subject");
  assert.match(daysLeft, /^3\d\d d$/, "about a year of validity is left");
  assert.equal(status, "Enabled", "the certificate is enabled");
  await screenshot(browser, "certificates");
});

step("Expiring soon lists the certificate within 400 days", async () => {
  await byTestId("nav-expiring").click();
  const days = await waitFor("expiring-days");
  await days.setValue("400");
  await byTestId("expiring-refresh").click();
  const row = await waitFor(`expiring-row-${VAULT}-${CERT}`);
  const [daysLeft, name, kind, vault] = await cells(row);
  assert.match(daysLeft, /^3\d\d d$/, "with about a year left");
  assert.equal(name, CERT, "the certificate is listed");
  assert.equal(kind.toLowerCase(), "certificate", "as a certificate");
  assert.equal(vault, VAULT, "in its vault");
  await screenshot(browser, "expiring");
});

step("deletes the secret, finds it under Deleted secrets and recovers it", async () => {
  await byTestId(`vault-link-${VAULT}`).click();
  await waitFor(`vault-blade-${VAULT}`);
  await byTestId("tab-secrets").click();
  await (await waitFor(`secret-delete-${SECRET}`)).click();
  await waitGone(`secret-row-${SECRET}`);
  await assertNoAlert();
  await byTestId("secrets-deleted-open").click();
  const deleted = await waitFor(`deleted-secret-row-${SECRET}`);
  assert.equal((await cells(deleted))[0], SECRET, "the deleted secret is listed");
  await byTestId(`secret-recover-${SECRET}`).click();
  await waitGone(`deleted-secret-row-${SECRET}`);
  await assertNoAlert();
  await byTestId("tab-secrets").click();
  await waitFor(`secret-row-${SECRET}`);
  await byTestId(`secret-reveal-${SECRET}`).click();
  await waitForText(`secret-value-${SECRET}`, SECRET_VALUE);
});
