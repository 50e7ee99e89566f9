// @ts-check
// The desktop app in a real window, driven the way a user would: first-run unlock, a vault made
// through the wizard, a secret, a key signed and verified with, a self-signed certificate, the
// CSR flow (the CSR shown on screen is signed by openssl and the result merged through the file
// picker), a password-protected PFX previewed and imported, the expiry overview, and a secret
// deleted and recovered, access control and the access log, a vault's practice throttling, the
// REST API started, used and stopped from its page, an HSM key in a Premium vault with the HSM
// page, the BYOK wizard's round trip, and App Services (a Key Vault certificate imported into a web
// app, bound to its verified custom domain and served by the local front end). Every step checks
// what the screen shows.
// The steps share one app session and run in order; after the first failure the rest are skipped.

import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, test } from "node:test";
import { portOpen, screenshot, startApp } from "../support.mjs";

const PASSPHRASE = "correct horse battery staple";
const VAULT = "petdash-kv";
const GROUP = "petdash-rg";
const SECRET = "db-password";
const SECRET_VALUE = "s3cr3t-Value-42";
const KEY = "signer";
const CERT = "petdash-web";
const CSR_CERT = "petdash-api";
const PFX_CERT = "legacy-site";
const PFX_PASSWORD = "pfx-Import-7";
const MASK = "••••••••";
/** RSA key and certificate generation are slow in a debug build on a busy machine. */
const SLOW_MS = 90_000;

/** Files the test makes with openssl: a CA, a signed CSR, a PFX. */
const work = mkdtempSync(path.join(tmpdir(), "vaultmort-e2e-files-"));

/** @param {string[]} args */
const openssl = (args) => execFileSync("openssl", args, { cwd: work, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });

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
  rmSync(work, { recursive: true, force: true });
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

step("Certificates: the CSR flow, signed by openssl and merged through the UI", async () => {
  openssl(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem", "-subj", "/CN=E2E Test CA", "-days", "30"]);
  await (await waitFor("cert-create-open")).click();
  await (await waitFor("cert-name")).setValue(CSR_CERT);
  await byTestId("cert-issuer-type").selectByAttribute("value", "unknown");
  assert.equal(await byTestId("cert-lifetime-action").getValue(), "EmailContacts", "a CSR certificate cannot renew itself: e-mail is offered");
  await byTestId("cert-dns").setValue("api.petdash.example");
  await byTestId("cert-create-submit").click();
  await waitFor("cert-operation", SLOW_MS);
  assert.match(await byTestId("cert-operation-status").getText(), /inProgress/, "the request waits for its certificate");
  const csr = String(await byTestId("cert-csr").getValue());
  assert.match(csr, /^-----BEGIN CERTIFICATE REQUEST-----/, "the CSR is shown as PEM");
  writeFileSync(path.join(work, "api.csr"), csr);
  const subject = openssl(["req", "-in", "api.csr", "-noout", "-verify", "-subject"]);
  assert.match(subject, new RegExp(`CN ?= ?${CSR_CERT}`), "openssl verifies the CSR and reads its subject");
  await byTestId("cert-csr").scrollIntoView();
  await screenshot(browser, "certificate-csr");

  // The CA's own certificate is for another key: refused, and the request stays.
  await byTestId("cert-merge-file").addValue(path.join(work, "ca.pem"));
  await byTestId("cert-merge-submit").click();
  await byTestId("alert").waitForDisplayed({ timeout: 15_000 });
  assert.match(await byTestId("alert-text").getText(), /^KeyMismatch: /, "a certificate for another key is refused with a clear code");
  await byTestId("alert-dismiss").click();

  openssl(["x509", "-req", "-in", "api.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-set_serial", "4242", "-days", "20", "-out", "api.pem"]);
  await byTestId("cert-merge-file").addValue(path.join(work, "api.pem"));
  await byTestId("cert-merge-submit").click();
  const row = await waitFor(`cert-row-${CSR_CERT}`, SLOW_MS);
  assert.equal((await cells(row))[1], `CN=${CSR_CERT}`, "the merged certificate is listed");
  await byTestId(`cert-open-${CSR_CERT}`).click();
  await waitForText("cert-details-issuer", "CN=E2E Test CA");
  await byTestId("cert-details-close").click();
});

step("Certificates: imports a password-protected PFX after previewing it", async () => {
  openssl(["req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", "site.key", "-out", "site.csr", "-subj", "/CN=legacy.petdash.example"]);
  writeFileSync(path.join(work, "san.ext"), "subjectAltName=DNS:legacy.petdash.example,DNS:old.petdash.example\n");
  openssl(["x509", "-req", "-in", "site.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-set_serial", "7", "-days", "60", "-extfile", "san.ext", "-out", "site.pem"]);
  openssl(["pkcs12", "-export", "-inkey", "site.key", "-in", "site.pem", "-certfile", "ca.pem", "-passout", `pass:${PFX_PASSWORD}`, "-out", `${PFX_CERT}.pfx`]);

  await (await waitFor("cert-create-open")).click();
  await (await waitFor("cert-method")).selectByAttribute("value", "import");
  await (await waitFor("cert-import-file")).addValue(path.join(work, `${PFX_CERT}.pfx`));
  await waitFor("cert-import-needs-password");
  assert.equal(await byTestId("cert-import-submit").isEnabled(), false, "nothing can be imported before the password opens the file");
  assert.equal(await byTestId("cert-name").getValue(), PFX_CERT, "the name is suggested from the file name");
  await byTestId("cert-import-password").setValue("not-the-password");
  await byTestId("cert-import-open").click();
  await byTestId("alert").waitForDisplayed({ timeout: 15_000 });
  assert.match(await byTestId("alert-text").getText(), /^WrongPassword: /, "a wrong password is said to be wrong");
  await byTestId("alert-dismiss").click();
  await byTestId("cert-import-password").setValue(PFX_PASSWORD);
  await byTestId("cert-import-open").click();
  await waitForText("cert-preview-subject", "CN=legacy.petdash.example");
  assert.equal(await textOf("cert-preview-issuer"), "CN=E2E Test CA", "the preview shows the issuer");
  assert.equal(await textOf("cert-preview-sans"), "legacy.petdash.example, old.petdash.example", "and the SANs");
  assert.equal(await textOf("cert-preview-key"), "EC P-256", "and the key");
  assert.equal(await textOf("cert-preview-chain"), "CN=E2E Test CA", "and the chain");
  await byTestId("cert-import-preview").scrollIntoView();
  await screenshot(browser, "certificate-import");
  await byTestId("cert-import-submit").click();
  const row = await waitFor(`cert-row-${PFX_CERT}`, SLOW_MS);
  const [name, subject, , , , daysLeft] = await cells(row);
  assert.equal(name, PFX_CERT, "the imported certificate is listed");
  assert.equal(subject, "CN=legacy.petdash.example");
  assert.match(daysLeft, /^(59|60) d$/, "with the 60 days openssl gave it");
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

step("Access: a Secrets User may not create a key and is told why; a policy from a template lets it through", async () => {
  const SAM = "sam@petdash.example";
  // The owner adds Sam to the directory, lets Sam read the subscription's vaults (Reader), and
  // gives Sam the "Secret Management" access policy on the vault: what a Secrets User may do.
  await byTestId("nav-directory").click();
  await (await waitFor("principal-kind")).selectByAttribute("value", "user");
  await byTestId("principal-name").setValue("Sam");
  await byTestId("principal-upn").setValue(SAM);
  await byTestId("principal-create").click();
  await waitFor(`principal-row-${SAM}`);

  await byTestId(`vault-link-${VAULT}`).click();
  await (await waitFor("tab-iam")).click();
  await (await waitFor("iam-add-open")).click();
  await (await waitFor("iam-role")).selectByAttribute("value", "Reader");
  await byTestId("iam-principal").selectByVisibleText(`${SAM} (user)`);
  await byTestId("iam-scope").selectByVisibleText("Subscription");
  await byTestId("iam-save").click();
  await browser.waitUntil(async () => /Reader/.test(await byTestId("iam-list").getText()), { timeout: 15_000 });
  await assertNoAlert();

  await byTestId("tab-access").click();
  await (await waitFor("access-policy-open")).click();
  await (await waitFor("access-principal")).selectByVisibleText(`${SAM} (user)`);
  await byTestId("access-template").selectByAttribute("value", "Secret Management");
  assert.equal(await byTestId("access-secrets-get").isSelected(), true, "the template ticks the secret permissions");
  assert.equal(await byTestId("access-keys-create").isSelected(), false, "and no key permission");
  await byTestId("access-policy-save").click();
  await waitFor(`access-policy-row-${SAM}`);
  await screenshot(browser, "access-policies");

  // Signed in as Sam: secrets work, creating a key is refused with the missing permission named.
  await byTestId("signed-in-as").click();
  await (await waitFor(`signed-in-option-${SAM}`)).click();
  await browser.waitUntil(async () => (await byTestId("signed-in-as").getAttribute("data-current")) === SAM, { timeout: 15_000 });
  await (await waitFor("tab-secrets")).click();
  await waitFor(`secret-row-${SECRET}`);
  await byTestId("tab-keys").click();
  await (await waitFor("key-create-open")).click();
  await (await waitFor("key-name")).setValue("sams-key");
  await byTestId("key-create-submit").click();
  await byTestId("alert").waitForDisplayed({ timeout: 15_000 });
  const refusal = await byTestId("alert-text").getText();
  assert.match(refusal, /^Forbidden \(AccessDenied\): /, "the refusal has Key Vault's code, and its inner code names the access policies");
  assert.match(refusal, /create/i, `the reason names the missing key permission: ${refusal}`);
  assert.match(refusal, new RegExp(SAM), "and who was refused");
  await byTestId("alert").scrollIntoView();
  await screenshot(browser, "access-refused");
  await byTestId("alert-dismiss").click();

  // The owner widens Sam's policy from a template; signed in as Sam again, the key is created.
  await byTestId("signed-in-as").click();
  await (await waitFor("signed-in-option-owner")).click();
  await browser.waitUntil(async () => /owner/.test(String(await byTestId("signed-in-as").getAttribute("data-current"))), { timeout: 15_000 });
  await (await waitFor("tab-access")).click();
  await (await waitFor(`access-policy-edit-${SAM}`)).click();
  await (await waitFor("access-template")).selectByAttribute("value", "Key & Secret Management");
  await byTestId("access-policy-save").click();
  await browser.waitUntil(async () => /9 key/.test(await byTestId(`access-policy-row-${SAM}`).getText()), { timeout: 15_000 });
  await byTestId("signed-in-as").click();
  await (await waitFor(`signed-in-option-${SAM}`)).click();
  await browser.waitUntil(async () => (await byTestId("signed-in-as").getAttribute("data-current")) === SAM, { timeout: 15_000 });
  await (await waitFor("tab-keys")).click();
  await (await waitFor("key-create-open")).click();
  await (await waitFor("key-name")).setValue("sams-key");
  await byTestId("key-create-submit").click();
  await waitFor("key-row-sams-key", SLOW_MS);
  await assertNoAlert();

  // The access log shows Sam's refusal, with the rule that refused it.
  await byTestId("signed-in-as").click();
  await (await waitFor("signed-in-option-owner")).click();
  await browser.waitUntil(async () => /owner/.test(String(await byTestId("signed-in-as").getAttribute("data-current"))), { timeout: 15_000 });
  await byTestId("nav-access-log").click();
  await (await waitFor("log-caller")).setValue(SAM);
  await byTestId("log-outcome").selectByAttribute("value", "denied");
  await byTestId("log-apply").click();
  await browser.waitUntil(async () => /KeyCreate/.test(await byTestId("log-list").getText()), { timeout: 15_000 });
  await byTestId("log-verify").click();
  await browser.waitUntil(async () => /Intact/.test(await byTestId("log-verdict").getText()), { timeout: 15_000 });
  await screenshot(browser, "access-log");
});

step("Overview: practice throttling is switched on for the vault", async () => {
  await (await waitFor(`vault-link-${VAULT}`)).click();
  await (await waitFor("tab-overview")).click();
  await waitForText("overview-throttling-state", "Off");
  await byTestId("overview-throttling").click();
  await waitForText("overview-throttling-state", "On");
  await assertNoAlert();
});

step("REST API: started from its page, it shows the vault's URL, exports the CA and stops", async () => {
  await byTestId("nav-rest-api").click();
  const port = await waitFor("rest-port");
  await waitForText("rest-state", "Stopped");
  // Port 0 lets the system pick a free port, so a busy 8443 on the test machine cannot fail the step.
  await port.clearValue();
  await port.setValue("0");
  await byTestId("rest-toggle").click();
  await byTestId("rest-state").waitForDisplayed();
  await browser.waitUntil(async () => /^Running on 127\.0\.0\.1:\d+$/.test(await textOf("rest-state")), { timeout: 30_000 }).catch(async (error) => {
    await assertNoAlert();
    throw error;
  });
  const served = Number((await textOf("rest-state")).split(":").pop());
  assert.ok(served > 0, "the page names the port the system picked");
  assert.equal(await textOf(`rest-url-${VAULT}`), `https://${VAULT}.localhost:${served}`, "each vault's URL is shown");
  assert.match(await textOf("rest-token-endpoint"), new RegExp(`^https://localhost:${served}/[0-9a-f-]{36}/oauth2/v2\\.0/token$`), "and the token endpoint");
  assert.ok(await byTestId("rest-new-secret").isDisplayed(), "the first start shows the new client secret once");
  assert.match(await textOf(`rest-vault-${VAULT}`), /On$/, "the vault's practice throttling shows as on");
  assert.equal(await portOpen(served), true, "the server listens on the port shown");
  await screenshot(browser, "rest-api");

  // The save dialog is a native GTK window WebDriver cannot reach; the Export button's command is
  // called through the page's IPC instead, with the path the dialog would have returned.
  assert.ok(await byTestId("rest-export-ca").isDisplayed(), "the Export CA certificate button is there");
  const caPath = path.join(work, "vaultmort-root.pem");
  await browser.execute(
    (p) => /** @type {any} */ (window).__TAURI_INTERNALS__.invoke("save_ca_certificate", { path: p }),
    caPath,
  );
  assert.ok(existsSync(caPath), "the CA file was written");
  assert.match(openssl(["x509", "-in", caPath, "-noout", "-subject"]), /^subject=/, "openssl reads the exported CA");

  await byTestId("rest-toggle").click();
  await waitForText("rest-state", "Stopped", 30_000);
  assert.equal(await portOpen(served), false, "after Stop nothing listens on the port");
  await assertNoAlert();
});

const HSM_VAULT = "petdash-hsm";
const HSM_KEY = "hsm-signer";
const BROUGHT_KEY = "brought-key";

/**
 * Signs the try-it panel's text with `key` (RS256), then Verify must say Valid; returns the signature's bytes.
 * @param {string} key
 */
async function signAndVerify(key) {
  await browser.$(`[data-testid="tryit-key"] option[value="${key}"]`).waitForExist({ timeout: 15_000 });
  await byTestId("tryit-key").selectByAttribute("value", key);
  await byTestId("tryit-alg").selectByAttribute("value", "RS256");
  await byTestId("tryit-sign").click();
  await byTestId("tryit-verify").waitForEnabled({ timeout: SLOW_MS });
  await assertNoAlert();
  const signature = Buffer.from(await textOf("tryit-signature"), "base64");
  await byTestId("tryit-verify").click();
  await waitForText("tryit-result", "Valid", SLOW_MS);
  return signature;
}

step("HSM: a Premium vault's RSA-HSM key signs and verifies, and the HSM page shows it sensitive and not extractable", async () => {
  await byTestId("nav-vaults").click();
  await (await waitFor("create-vault-open")).click();
  await (await waitFor("vault-name")).setValue(HSM_VAULT);
  await waitForText("vault-name-check", "✓ Valid name");
  await byTestId("vault-group").setValue(GROUP);
  await byTestId("vault-sku-premium").click();
  await byTestId("create-vault-submit").click();
  await waitFor(`vault-blade-${HSM_VAULT}`, 30_000);
  await byTestId("tab-keys").click();
  await (await waitFor("key-create-open")).click();
  await (await waitFor("key-name")).setValue(HSM_KEY);
  await byTestId("key-protection").selectByAttribute("value", "hsm");
  await byTestId("key-create-submit").click();
  const row = await waitFor(`key-row-${HSM_KEY}`, SLOW_MS);
  assert.equal((await cells(row))[1], "RSA-HSM", "HSM protection makes an RSA-HSM key");
  await signAndVerify(HSM_KEY);

  await byTestId("nav-hsm").click();
  await waitFor("hsm-mode");
  assert.equal(await byTestId("hsm-mode").getAttribute("data-mode"), "practice", "the first HSM key set up the practice token");
  const objects = await browser.$$('[data-testid^="hsm-object-"][data-testid$="-sensitive"]');
  assert.ok(objects.length >= 1, "the token lists the key's object");
  for (const cell of objects) {
    const id = String(await cell.getAttribute("data-testid")).replace(/-sensitive$/, "");
    assert.deepEqual([await cell.getText(), await textOf(`${id}-extractable`)], ["Yes", "No"], `${id} is sensitive and not extractable`);
  }
  await screenshot(browser, "hsm");
});

step("BYOK: the wizard makes a KEK, wraps a key in the vendor's HSM and imports it; openssl checks its signature", async () => {
  await (await waitFor(`vault-link-${HSM_VAULT}`)).click();
  await (await waitFor("tab-keys")).click();
  await (await waitFor("key-byok-open")).click();
  await (await waitFor("byok-kek-name")).setValue("kek");
  await byTestId("byok-kek-size").selectByAttribute("value", "2048");
  await byTestId("byok-kek-create").click();
  await waitFor("byok-kek-kid", SLOW_MS);
  assert.match(await textOf("byok-kek-kid"), new RegExp(`^https://${HSM_VAULT}\\.localhost:\\d+/keys/kek/[0-9a-f]{32}$`), "the KEK's id is shown");
  assert.equal(await byTestId("byok-kek-download").isEnabled(), true, "step 2 (the save dialog) opens once the KEK exists");
  await byTestId("byok-target-size").selectByAttribute("value", "2048");
  await byTestId("byok-wrap-run").click();
  await waitFor("byok-file", SLOW_MS);
  const publicFile = await textOf("byok-public-file");
  assert.ok(existsSync(await textOf("byok-file")) && existsSync(publicFile), "the wizard shows where the vendor tool wrote the .byok file and the public key");
  await waitFor("key-row-kek");
  await byTestId("byok-step-3").scrollIntoView();
  await screenshot(browser, "byok-wizard");
  await byTestId("byok-import-run").click();
  const row = await waitFor(`key-row-${BROUGHT_KEY}`, SLOW_MS);
  assert.equal((await cells(row))[1], "RSA-HSM", "the brought key is an RSA-HSM key");
  await waitFor("key-details");
  const signature = await signAndVerify(BROUGHT_KEY);
  writeFileSync(path.join(work, "brought.sig"), signature);
  writeFileSync(path.join(work, "brought.txt"), await byTestId("tryit-text").getValue());
  assert.match(
    openssl(["dgst", "-sha256", "-verify", publicFile, "-signature", "brought.sig", "brought.txt"]),
    /Verified OK/,
    "the vault's signature verifies under the public key the vendor tool wrote: the key arrived whole",
  );
});

const WEB_APP = "petdash-web";
const WEB_HOST = "www.petdash.com";
const WEB_CERT = "petdash-www";
/** What the App Service resource provider's principal is called in the directory. */
const APP_SERVICE_PRINCIPAL = "Microsoft Azure App Service";

/** Waits until the App Services blade has no refresh running (it is aria-busy meanwhile). */
async function settled() {
  await browser.waitUntil(async () => (await byTestId("app-services").getAttribute("aria-busy")) !== "true", { timeout: 30_000, interval: 100 });
  await assertNoAlert();
}

step("App Services: a Key Vault certificate imported into a web app and bound to its verified domain is what the front end serves", async () => {
  // The vault's certificate for www.petdash.com, as a PFX (the wizard's default content type).
  await (await waitFor(`vault-link-${VAULT}`)).click();
  await (await waitFor("tab-certificates")).click();
  await (await waitFor("cert-create-open")).click();
  await (await waitFor("cert-name")).setValue(WEB_CERT);
  await byTestId("cert-subject").setValue(`CN=${WEB_HOST}`);
  await byTestId("cert-dns").setValue(WEB_HOST);
  assert.equal(await byTestId("cert-content-type").getValue(), "pfx", "App Service imports PKCS#12 certificates");
  await byTestId("cert-create-submit").click();
  const thumbprint = (await cells(await waitFor(`cert-row-${WEB_CERT}`, SLOW_MS)))[2];
  assert.match(String(thumbprint), /^[0-9A-F]{40}$/, "the vault shows the certificate's thumbprint");

  // App Service reads the vault as its own principal, which needs secret Get there.
  await byTestId("tab-access").click();
  await (await waitFor("access-policy-open")).click();
  await (await waitFor("access-principal")).selectByVisibleText(`${APP_SERVICE_PRINCIPAL} (servicePrincipal)`);
  await byTestId("access-secrets-get").click();
  await byTestId("access-policy-save").click();
  await waitFor(`access-policy-row-${APP_SERVICE_PRINCIPAL}`);

  // A Basic plan (SNI bindings need it), the web app and the practice DNS zone of its domain.
  await byTestId("nav-app-services").click();
  await waitFor("app-services");
  await settled();
  await byTestId("as-group").selectByAttribute("value", GROUP);
  await settled();
  await byTestId("as-plan-name").setValue("petdash-plan");
  await byTestId("as-plan-sku").selectByAttribute("value", "B1");
  await byTestId("as-plan-create").click();
  await waitForText("as-plan-sku-now-petdash-plan", "B1");
  await settled();
  await byTestId("as-app-name").setValue(WEB_APP);
  await byTestId("as-app-create").click();
  await waitFor("as-app-details");
  await settled();
  await byTestId("as-zone-name").setValue("petdash.com");
  await byTestId("as-zone-create").click();
  await waitFor("as-zone-row-petdash.com");
  await settled();

  // The domain check names the records; each missing one is added to the zone from the check.
  await byTestId("as-domain-host").setValue(WEB_HOST);
  await byTestId("as-domain-validate").click();
  await waitForText("as-record-TXT-status", "Missing");
  assert.equal(await textOf("as-domain-verdict"), "Not verified yet: add the missing records.");
  await byTestId("as-record-TXT-add").click();
  await waitForText("as-record-TXT-status", "Present");
  await byTestId("as-record-CNAME-add").click();
  await waitForText("as-record-CNAME-status", "Present");
  await byTestId("as-domain-add").waitForEnabled({ timeout: 15_000 });
  await byTestId("as-domain-add").click();
  await waitForText(`as-domain-ssl-${WEB_HOST}`, "Not secure");
  await settled();

  // "Import Key Vault certificate": the vault's certificate, synced as App Service reads it.
  await byTestId("as-import-vault").selectByAttribute("value", VAULT);
  await browser.$(`[data-testid="as-import-cert"] option[value="${WEB_CERT}"]`).waitForExist({ timeout: 15_000 });
  await byTestId("as-import-cert").selectByAttribute("value", WEB_CERT);
  await byTestId("as-import-submit").click();
  const imported = `${VAULT}-${WEB_CERT}`;
  await waitForText(`as-cert-thumbprint-${imported}`, String(thumbprint));
  assert.equal(await textOf(`as-cert-sync-${imported}`), "Succeeded", "the import's sync status says the vault was read");
  await settled();
  await byTestId(`as-cert-sync-now-${imported}`).click();
  await browser
    .waitUntil(async () => (await browser.$(".status-note").getText()) === `Synced ${imported}: Succeeded.`, { timeout: 15_000, interval: 100 })
    .catch(async () => assert.fail(`Sync now reports its outcome: ${await browser.$(".status-note").getText()}`));
  await settled();

  // The SNI binding, then the front end on free loopback ports.
  await byTestId("as-bind-host").selectByAttribute("value", WEB_HOST);
  await byTestId("as-bind-cert").selectByAttribute("value", String(thumbprint));
  await byTestId("as-bind-submit").click();
  await waitForText(`as-domain-ssl-${WEB_HOST}`, "SNI SSL");
  await settled();
  await byTestId("as-app-details").scrollIntoView();
  await screenshot(browser, "app-services-domain");
  for (const id of ["as-fe-https-port", "as-fe-http-port"]) {
    await byTestId(id).clearValue();
    await byTestId(id).setValue("0");
  }
  await byTestId("as-fe-toggle").click();
  await waitForText(`as-served-thumbprint-${WEB_HOST}`, String(thumbprint), 30_000);
  assert.equal(await textOf(`as-served-origin-${WEB_HOST}`), "Bound certificate", "the custom domain is served with its bound certificate");
  assert.match(await textOf(`as-served-days-${WEB_HOST}`), /^3\d\d d$/, "about a year left by the installation's clock");
  const port = Number(/HTTPS 127\.0\.0\.1:(\d+)/.exec(await textOf("as-fe-state"))?.[1]);
  assert.ok(port > 0, "the blade names the HTTPS port the system picked");
  // What a TLS client is really presented for the host name, read by openssl.
  const handshake = execFileSync("openssl", ["s_client", "-connect", `127.0.0.1:${port}`, "-servername", WEB_HOST], { input: "", encoding: "utf8", stdio: ["pipe", "pipe", "pipe"], timeout: 15_000 });
  const leaf = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.exec(handshake)?.[0] ?? assert.fail(`openssl got no certificate: ${handshake}`);
  const fingerprint = execFileSync("openssl", ["x509", "-noout", "-fingerprint", "-sha1"], { input: leaf, encoding: "utf8", timeout: 15_000 });
  assert.equal(fingerprint.split("=")[1]?.trim().replaceAll(":", ""), thumbprint, "openssl is presented the vault's certificate for the custom domain");
  await byTestId(`as-served-row-${WEB_HOST}`).scrollIntoView();
  await screenshot(browser, "app-services");

  await byTestId("as-fe-toggle").click();
  await waitForText("as-fe-state", "Stopped", 30_000);
  assert.equal(await portOpen(port), false, "after Stop nothing listens on the port");
});
