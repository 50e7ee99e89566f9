// @ts-check
// @azure/keyvault-certificates: CertificateClient against vaultmort serve, at the SDK's defaults.
// openssl (in a child process) and Node's crypto are the independent readers of what the server
// issues: the PKCS#12 behind a certificate must open with `openssl pkcs12` and with Node's TLS
// stack, its key must match its certificate, and the files the tests import are made by openssl.

import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { X509Certificate, createPrivateKey, createPublicKey } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { createSecureContext } from "node:tls";
import { CertificateClient } from "@azure/keyvault-certificates";
import { SecretClient } from "@azure/keyvault-secrets";
import { all, credential, unique, vaultUrl } from "./harness.mjs";

const certificates = new CertificateClient(vaultUrl, credential());
const secrets = new SecretClient(vaultUrl, credential());

/** A private folder for the openssl files (private keys among them), removed after the tests. */
let scratch = "";

/**
 * Runs openssl with `args` and returns its stdout; its stderr is shown when it fails.
 * @param {string[]} args
 */
function openssl(...args) {
  return execFileSync("openssl", args, { cwd: scratch, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], timeout: 30_000 });
}

/**
 * A self-signed EC certificate and its PKCS#8 key made by openssl, as PEM files in the scratch folder.
 * @param {string} commonName
 */
function opensslSelfSigned(commonName) {
  const base = path.join(scratch, unique("made"));
  openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-sha256",
    "-keyout", `${base}.key`, "-out", `${base}.crt`, "-subj", `/CN=${commonName}`, "-days", "30");
  return { key: `${base}.key`, cert: `${base}.crt`, base };
}

describe("CertificateClient", () => {
  before(() => {
    // Files openssl writes here hold private keys: only this user may read them.
    process.umask(0o077);
    scratch = mkdtempSync(path.join(tmpdir(), "vaultmort-sdk-js-certs-"));
  });
  after(() => rmSync(scratch, { recursive: true, force: true }));

  test("beginCreateCertificate with a Self policy: the poller ends with the certificate, and get reads it back", async () => {
    const name = unique("js-self");
    const policy = { issuerName: "Self", subject: "CN=self.example", keyType: /** @type {const} */ ("RSA"), keySize: 2048, validityInMonths: 12 };
    const poller = await certificates.beginCreateCertificate(name, policy);
    // The SDK polls once before it returns the poller: the operation it read then was no longer
    // inProgress, so pollUntilDone needs no further poll.
    assert.equal(poller.isDone(), true, "a Self certificate is issued at once (the first poll found the operation completed)");
    const created = await poller.pollUntilDone();
    assert.equal(created.name, name, "the poller's result is the new certificate");
    assert.ok(created.properties.id?.startsWith(`${vaultUrl}/certificates/${name}/`), `the id names the vault URL the client used: ${created.properties.id}`);
    assert.equal(created.policy?.issuerName, "Self", "the policy comes back with it");

    const x509 = new X509Certificate(Buffer.from(created.cer ?? []));
    assert.equal(x509.subject, "CN=self.example", "Node reads the DER certificate with the subject of the policy");
    assert.equal(x509.issuer, x509.subject, "self-signed");
    assert.ok(x509.verify(x509.publicKey), "and its signature verifies with its own key");
    const months = (Date.parse(x509.validTo) - Date.parse(x509.validFrom)) / (1000 * 60 * 60 * 24 * 30.4);
    assert.ok(months > 11 && months < 13, `valid for the policy's 12 months, not ${months.toFixed(1)}`);

    const read = await certificates.getCertificate(name);
    assert.equal(read.properties.id, created.properties.id, "getCertificate reads the same version");
    assert.deepEqual(Buffer.from(read.cer ?? []), Buffer.from(created.cer ?? []), "with the same DER bytes");
    assert.ok(read.secretId?.startsWith(`${vaultUrl}/secrets/${name}/`), `the certificate names its secret: ${read.secretId}`);
    assert.ok(read.keyId?.startsWith(`${vaultUrl}/keys/${name}/`), `and its key: ${read.keyId}`);
  });

  test("the secret behind a created certificate is a PKCS#12 that openssl and Node's TLS open, with the matching key", async () => {
    const name = unique("js-pfx-secret");
    const created = await (await certificates.beginCreateCertificate(name, { issuerName: "Self", subject: "CN=pfx.example" })).pollUntilDone();
    const secret = await secrets.getSecret(name);
    assert.equal(secret.properties.contentType, "application/x-pkcs12", "the default content type is PKCS#12");
    assert.equal(secret.properties.managed, true, "a certificate's secret is managed by the certificate");
    const pfx = Buffer.from(secret.value ?? "", "base64");
    const pfxFile = path.join(scratch, `${name}.pfx`);
    writeFileSync(pfxFile, pfx, { mode: 0o600 });

    // -nodes: the extracted key stays in this process's memory only; it is never logged.
    const pem = openssl("pkcs12", "-in", pfxFile, "-passin", "pass:", "-nodes");
    const cert = new X509Certificate(pem);
    assert.deepEqual(cert.raw, Buffer.from(created.cer ?? []), "the PKCS#12 holds the certificate the vault returned as cer");
    const key = createPrivateKey(pem);
    assert.ok(cert.checkPrivateKey(key), "and the private key that belongs to it");
    assert.doesNotThrow(() => createSecureContext({ pfx }), "Node's TLS stack loads the PKCS#12 with no password");
  });

  // SecretClient 4.11.2 sends `outContentType` on getSecret (at its default api-version too): the
  // server converts a certificate's PKCS#12 secret to PEM.
  test("getSecret with outContentType PEM reads a PKCS#12 certificate's secret as PEM", async () => {
    const name = unique("js-out-pem");
    const created = await (await certificates.beginCreateCertificate(name, { issuerName: "Self", subject: "CN=out-pem.example" })).pollUntilDone();
    const secret = await secrets.getSecret(name, { outContentType: "application/x-pem-file" });
    assert.equal(secret.properties.contentType, "application/x-pem-file", "the secret comes back as PEM");
    const cert = new X509Certificate(secret.value ?? "");
    assert.deepEqual(cert.raw, Buffer.from(created.cer ?? []), "holding the certificate");
    assert.ok(cert.checkPrivateKey(createPrivateKey(secret.value ?? "")), "and its private key");
  });

  test("a certificate created with the PEM content type has a PEM secret Node's crypto reads", async () => {
    const name = unique("js-pem-secret");
    const policy = { issuerName: "Self", subject: "CN=pem.example", contentType: /** @type {const} */ ("application/x-pem-file"), keyType: /** @type {const} */ ("EC"), keyCurveName: /** @type {const} */ ("P-256") };
    const created = await (await certificates.beginCreateCertificate(name, policy)).pollUntilDone();
    const secret = await secrets.getSecret(name);
    assert.equal(secret.properties.contentType, "application/x-pem-file", "the secret has the policy's content type");
    const cert = new X509Certificate(secret.value ?? "");
    assert.deepEqual(cert.raw, Buffer.from(created.cer ?? []), "the PEM holds the certificate");
    const key = createPrivateKey(secret.value ?? "");
    assert.equal(key.asymmetricKeyType, "ec", "and an EC private key");
    assert.ok(cert.checkPrivateKey(key), "that belongs to the certificate");
  });

  test("importCertificate of a PFX made by openssl, with its password", async () => {
    const made = opensslSelfSigned("imported-pfx.example");
    openssl("pkcs12", "-export", "-inkey", made.key, "-in", made.cert, "-out", `${made.base}.pfx`, "-passout", "pass:import pw");
    const name = unique("js-import-pfx");
    const imported = await certificates.importCertificate(name, readFileSync(`${made.base}.pfx`), { password: "import pw" });
    const expected = new X509Certificate(readFileSync(made.cert));
    assert.equal(imported.name, name, "named as asked");
    assert.deepEqual(Buffer.from(imported.cer ?? []), expected.raw, "the vault holds openssl's certificate, byte for byte");
    assert.equal(imported.policy?.issuerName, "Unknown", "an imported certificate has no issuer the vault can use");

    const secret = await secrets.getSecret(name);
    const pfxFile = path.join(scratch, `${name}.pfx`);
    writeFileSync(pfxFile, Buffer.from(secret.value ?? "", "base64"), { mode: 0o600 });
    const pem = openssl("pkcs12", "-in", pfxFile, "-passin", "pass:", "-nodes");
    assert.ok(new X509Certificate(pem).checkPrivateKey(createPrivateKey(pem)), "the secret holds the imported key with its certificate");
    const ours = createPrivateKey(readFileSync(made.key)).export({ format: "jwk" });
    assert.equal(createPrivateKey(pem).export({ format: "jwk" }).d, ours.d, "the same private key openssl made");
  });

  test("importCertificate of a PEM (PKCS#8 key and certificate) made by openssl", async () => {
    const made = opensslSelfSigned("imported-pem.example");
    const pem = Buffer.concat([readFileSync(made.key), readFileSync(made.cert)]);
    const name = unique("js-import-pem");
    const imported = await certificates.importCertificate(name, pem, {
      policy: { issuerName: "Self", subject: "CN=imported-pem.example", contentType: "application/x-pem-file" },
    });
    const expected = new X509Certificate(readFileSync(made.cert));
    assert.deepEqual(Buffer.from(imported.cer ?? []), expected.raw, "the vault holds openssl's certificate, byte for byte");
    const key = await secrets.getSecret(name);
    assert.equal(key.properties.contentType, "application/x-pem-file", "the secret keeps the PEM content type");
    assert.ok(expected.checkPrivateKey(createPrivateKey(key.value ?? "")), "and the imported private key");
    const publicFromVault = createPublicKey(new X509Certificate(key.value ?? "").publicKey.export({ type: "spki", format: "pem" }));
    assert.ok(publicFromVault.equals(expected.publicKey), "with the same public key");
  });

  test("list certificate properties, and a missing certificate is a RestError 404 with Key Vault's code", async () => {
    const name = unique("js-listed");
    await (await certificates.beginCreateCertificate(name, { issuerName: "Self", subject: "CN=listed.example" })).pollUntilDone();
    const listed = await all(certificates.listPropertiesOfCertificates());
    const mine = listed.find((p) => p.name === name);
    assert.ok(mine, "the new certificate is listed");
    assert.ok(mine.x509Thumbprint && mine.x509Thumbprint.length === 20, "with its SHA-1 thumbprint");
    assert.equal((await all(certificates.listPropertiesOfCertificateVersions(name))).length, 1, "one version");
    await assert.rejects(certificates.getCertificate(unique("never-made")), (/** @type {any} */ error) => {
      assert.equal(error.statusCode, 404, "not found");
      assert.equal(error.code, "CertificateNotFound", "Key Vault's error code reaches the caller");
      return true;
    });
  });
});
