// @ts-check
// @azure/keyvault-keys: KeyClient and CryptographyClient against vaultmort serve, at the SDK's
// defaults, with Node's own crypto (OpenSSL) as the independent referee of what the server signs
// and decrypts.
//
// Which side does the work: the CryptographyClient fetches the key and then does what it can with
// the public key locally (RSA1_5 and RSA-OAEP encrypt and wrap, verifyData); sign, verify of a
// digest, decrypt, unwrap, and the RSA-OAEP-256 encrypt and wrap go to the server. So the server
// decrypts what the SDK encrypted locally, and Node encrypts with OAEP-SHA256 for the server to
// decrypt, besides the server's own round trips.

import assert from "node:assert/strict";
import { constants, createHash, createPublicKey, publicEncrypt, randomBytes, verify } from "node:crypto";
import { before, describe, test } from "node:test";
import { CryptographyClient, KeyClient } from "@azure/keyvault-keys";
import { all, credential, unique, vaultUrl } from "./harness.mjs";

const keys = new KeyClient(vaultUrl, credential());

/**
 * Node's public key object for a JWK the SDK returned (its members as byte arrays).
 * @param {import("@azure/keyvault-keys").JsonWebKey | undefined} jwk
 */
function nodePublicKey(jwk) {
  assert.ok(jwk, "the key bundle carries the JWK");
  const b64 = (/** @type {Uint8Array | undefined} */ bytes) => {
    assert.ok(bytes && bytes.length > 0, "the JWK has this public member");
    return Buffer.from(bytes).toString("base64url");
  };
  assert.equal(jwk.d, undefined, "a private member never leaves the vault");
  const key =
    jwk.kty === "RSA" || jwk.kty === "RSA-HSM"
      ? { kty: "RSA", n: b64(jwk.n), e: b64(jwk.e) }
      : { kty: "EC", crv: jwk.crv, x: b64(jwk.x), y: b64(jwk.y) };
  return createPublicKey({ key, format: "jwk" });
}

/**
 * @param {string} hash
 * @param {string | Buffer} data
 */
const digestOf = (hash, data) => createHash(hash).update(data).digest();

describe("KeyClient", () => {
  test("create RSA and EC keys, get them by name and version, list them", async () => {
    const rsaName = unique("js-rsa");
    const rsa = await keys.createRsaKey(rsaName, { keySize: 2048, tags: { team: "a" } });
    assert.equal(rsa.keyType, "RSA", "an RSA key");
    assert.equal(rsa.name, rsaName, "named as asked");
    assert.ok(rsa.id?.startsWith(`${vaultUrl}/keys/${rsaName}/`), `the id names the vault URL the client used: ${rsa.id}`);
    assert.deepEqual(rsa.properties.tags, { team: "a" }, "the tags are kept");
    assert.equal(rsa.key?.n?.length, 256, "a 2048-bit modulus is 256 bytes");
    assert.equal(nodePublicKey(rsa.key).asymmetricKeyDetails?.modulusLength, 2048, "Node reads the JWK as a 2048-bit RSA key");

    const ecName = unique("js-ec");
    const ec = await keys.createEcKey(ecName, { curve: "P-256" });
    assert.equal(ec.keyType, "EC", "an EC key");
    assert.equal(ec.key?.crv, "P-256", "on the curve asked for");
    assert.equal(nodePublicKey(ec.key).asymmetricKeyDetails?.namedCurve, "prime256v1", "Node reads the JWK as a P-256 point");

    assert.equal((await keys.getKey(rsaName)).id, rsa.id, "get without a version reads the latest");
    assert.equal((await keys.getKey(rsaName, { version: rsa.properties.version })).id, rsa.id, "get with a version reads that version");
    const names = (await all(keys.listPropertiesOfKeys())).map((p) => p.name);
    assert.ok(names.includes(rsaName) && names.includes(ecName), "both keys are listed");
  });

  test("rotate makes a new version, and the rotation policy can be read and set", async () => {
    const name = unique("js-rotate");
    const first = await keys.createEcKey(name, { curve: "P-256" });
    const rotated = await keys.rotateKey(name);
    assert.notEqual(rotated.properties.version, first.properties.version, "a rotation makes a new version");
    assert.notDeepEqual(rotated.key?.x, first.key?.x, "with new key material");
    const versions = new Set((await all(keys.listPropertiesOfKeyVersions(name))).map((p) => p.version));
    assert.deepEqual(versions, new Set([first.properties.version, rotated.properties.version]), "both versions are listed");

    const policy = await keys.updateKeyRotationPolicy(name, {
      expiresIn: "P1Y",
      lifetimeActions: [{ action: "Rotate", timeAfterCreate: "P90D" }],
    });
    assert.equal(policy.expiresIn, "P1Y", "the policy's expiry is stored");
    const read = await keys.getKeyRotationPolicy(name);
    assert.equal(read.lifetimeActions?.[0]?.action, "Rotate", "the stored policy rotates");
    assert.equal(read.lifetimeActions?.[0]?.timeAfterCreate, "P90D", "90 days after creation");
  });

  test("a missing key is a RestError 404 with Key Vault's code", async () => {
    await assert.rejects(keys.getKey(unique("never-made")), (/** @type {any} */ error) => {
      assert.equal(error.statusCode, 404, "not found");
      assert.equal(error.code, "KeyNotFound", "Key Vault's error code reaches the caller");
      return true;
    });
  });
});

describe("CryptographyClient", () => {
  /** @type {import("@azure/keyvault-keys").KeyVaultKey} */
  let rsaKey;
  /** @type {import("@azure/keyvault-keys").KeyVaultKey} */
  let ecKey;
  /** @type {CryptographyClient} */
  let rsa;
  /** @type {CryptographyClient} */
  let ec;

  before(async () => {
    rsaKey = await keys.createRsaKey(unique("js-crypto-rsa"), { keySize: 2048 });
    ecKey = await keys.createEcKey(unique("js-crypto-ec"), { curve: "P-256" });
    // From the key id, as an application that knows only the id would: the SDK fetches the key.
    rsa = new CryptographyClient(rsaKey.id ?? "", credential());
    ec = new CryptographyClient(ecKey.id ?? "", credential());
  });

  test("RS256: the server signs, the server and Node's crypto both verify, a tampered signature fails", async () => {
    const message = Buffer.from("signed by the vault with RS256");
    const signed = await rsa.sign("RS256", digestOf("sha256", message));
    assert.equal(signed.keyID, rsaKey.id, "the signature names the key version that made it");
    assert.equal(signed.result.length, 256, "an RSA-2048 signature is 256 bytes");
    assert.equal((await rsa.verify("RS256", digestOf("sha256", message), signed.result)).result, true, "the server verifies its signature");
    assert.ok(verify("sha256", message, nodePublicKey(rsaKey.key), Buffer.from(signed.result)), "Node verifies it (PKCS#1 v1.5, SHA-256) with the public JWK");

    const tampered = Buffer.from(signed.result);
    tampered[0] ^= 1;
    assert.equal((await rsa.verify("RS256", digestOf("sha256", message), tampered)).result, false, "the server rejects a changed signature");
    assert.equal(verify("sha256", message, nodePublicKey(rsaKey.key), tampered), false, "and so does Node");
  });

  test("PS256 with signData: the server signs, the server and Node's crypto both verify", async () => {
    const message = Buffer.from("signed with PSS");
    // signData hashes locally and has the server sign the digest.
    const signed = await rsa.signData("PS256", message);
    assert.equal((await rsa.verify("PS256", digestOf("sha256", message), signed.result)).result, true, "the server verifies its PSS signature");
    const pss = { key: nodePublicKey(rsaKey.key), padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 };
    assert.ok(verify("sha256", message, pss, Buffer.from(signed.result)), "Node verifies it as PSS with SHA-256 and a 32-byte salt");
    // Not verifyData: for PS256 the SDK verifies locally with Node's default PKCS#1 v1.5 padding
    // (RsaCryptographyProvider.verifyData passes no padding), so it reports any PSS signature,
    // the vault's or Node's own, as invalid. That is the SDK's, not the server's, doing.
  });

  test("ES256: the server signs, the server and Node's crypto both verify", async () => {
    const message = Buffer.from("signed by the vault with ES256");
    const signed = await ec.sign("ES256", digestOf("sha256", message));
    assert.equal(signed.result.length, 64, "an ES256 signature is r and s, 32 bytes each (JWS form, not DER)");
    assert.equal((await ec.verify("ES256", digestOf("sha256", message), signed.result)).result, true, "the server verifies its signature");
    const key = { key: nodePublicKey(ecKey.key), dsaEncoding: /** @type {const} */ ("ieee-p1363") };
    assert.ok(verify("sha256", message, key, Buffer.from(signed.result)), "Node verifies it with the public JWK");
    assert.equal(verify("sha256", Buffer.from("another message"), key, Buffer.from(signed.result)), false, "and not for another message");
  });

  test("RSA-OAEP and RSA-OAEP-256: encrypt and decrypt round trips, and the server decrypts what Node encrypted", async () => {
    const plaintext = Buffer.from("for the vault only");
    for (const algorithm of /** @type {const} */ (["RSA-OAEP", "RSA-OAEP-256"])) {
      const encrypted = await rsa.encrypt({ algorithm, plaintext });
      assert.equal(encrypted.result.length, 256, `${algorithm}: a ciphertext is as long as the modulus`);
      const decrypted = await rsa.decrypt({ algorithm, ciphertext: encrypted.result });
      assert.deepEqual(Buffer.from(decrypted.result), plaintext, `${algorithm}: decrypt returns the plaintext`);
    }
    const oaepSha256 = publicEncrypt(
      { key: nodePublicKey(rsaKey.key), padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: "sha256" },
      plaintext,
    );
    const fromNode = await rsa.decrypt({ algorithm: "RSA-OAEP-256", ciphertext: oaepSha256 });
    assert.deepEqual(Buffer.from(fromNode.result), plaintext, "the server decrypts Node's OAEP (SHA-256) ciphertext");
    const oaepSha1 = publicEncrypt({ key: nodePublicKey(rsaKey.key), padding: constants.RSA_PKCS1_OAEP_PADDING }, plaintext);
    const fromNodeSha1 = await rsa.decrypt({ algorithm: "RSA-OAEP", ciphertext: oaepSha1 });
    assert.deepEqual(Buffer.from(fromNodeSha1.result), plaintext, "and Node's OAEP (SHA-1) ciphertext");
  });

  test("wrap and unwrap an AES key with RSA-OAEP and RSA-OAEP-256", async () => {
    const aesKey = randomBytes(32);
    for (const algorithm of /** @type {const} */ (["RSA-OAEP", "RSA-OAEP-256"])) {
      const wrapped = await rsa.wrapKey(algorithm, aesKey);
      assert.notDeepEqual(Buffer.from(wrapped.result), aesKey, `${algorithm}: the wrapped key is not the key`);
      const unwrapped = await rsa.unwrapKey(algorithm, wrapped.result);
      assert.deepEqual(Buffer.from(unwrapped.result), aesKey, `${algorithm}: unwrap returns the AES key`);
    }
  });
});
