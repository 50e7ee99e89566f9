"""azure-keyvault-keys: KeyClient and CryptographyClient against vaultmort serve, with local
verification of the server's signatures by the `cryptography` package."""

import hashlib
import os
import unittest

from azure.core.exceptions import HttpResponseError, ResourceNotFoundError
from azure.keyvault.keys import (
    JsonWebKey,
    KeyClient,
    KeyCurveName,
    KeyRotationLifetimeAction,
    KeyRotationPolicy,
    KeyRotationPolicyAction,
    KeyType,
)
from azure.keyvault.keys.crypto import CryptographyClient, EncryptionAlgorithm, KeyWrapAlgorithm, SignatureAlgorithm
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

import harness


def _int_bytes(value: int) -> bytes:
    return value.to_bytes((value.bit_length() + 7) // 8, "big")


class KeyClientTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.credential = harness.credential()
        cls.client = KeyClient(harness.VAULT_URL, cls.credential, **harness.client_kwargs())

    def crypto(self, key):
        return CryptographyClient(key, self.credential, **harness.client_kwargs())

    def test_create_get_list_update_rotate(self):
        name = harness.unique("sdk-rsa")
        key = self.client.create_rsa_key(name, size=2048, tags={"team": "a"})
        self.assertEqual(key.key_type, KeyType.rsa)
        self.assertTrue(key.id.startswith(f"{harness.VAULT_URL}/keys/{name}/"))
        self.assertEqual(key.properties.tags, {"team": "a"})
        ec_key = self.client.create_ec_key(harness.unique("sdk-ec"), curve=KeyCurveName.p_384)
        self.assertEqual(ec_key.key.crv, KeyCurveName.p_384)
        self.assertEqual(self.client.get_key(name).id, key.id)
        self.assertEqual(self.client.get_key(name, key.properties.version).id, key.id)
        self.assertIn(name, [p.name for p in self.client.list_properties_of_keys()])
        updated = self.client.update_key_properties(name, key.properties.version, enabled=False, key_operations=["verify"])
        self.assertFalse(updated.properties.enabled)
        self.assertEqual(updated.key_operations, ["verify"])
        rotated = self.client.rotate_key(name)
        self.assertNotEqual(rotated.properties.version, key.properties.version)
        versions = {p.version for p in self.client.list_properties_of_key_versions(name)}
        self.assertEqual(versions, {key.properties.version, rotated.properties.version})

    def test_generic_create_and_a_cryptography_client_from_the_key_client(self):
        name = harness.unique("sdk-generic")
        key = self.client.create_key(name, KeyType.ec, curve=KeyCurveName.p_256, key_operations=["sign", "verify"])
        self.assertEqual(key.key_type, KeyType.ec)
        self.assertEqual(key.key_operations, ["sign", "verify"])
        crypto = self.client.get_cryptography_client(name)
        digest = hashlib.sha256(b"from get_cryptography_client").digest()
        signed = crypto.sign(SignatureAlgorithm.es256, digest)
        self.assertEqual(signed.key_id, key.id, "the client made by the KeyClient uses the latest version")
        self.assertTrue(crypto.verify(SignatureAlgorithm.es256, digest, signed.signature).is_valid)

    def test_what_a_vault_does_not_offer_is_a_clear_error(self):
        # Symmetric (oct) keys exist only in Managed HSM; release needs an attestation service
        # and key attestation an HSM: each is refused with Key Vault's code and a message.
        with self.assertRaises(HttpResponseError) as oct_key:
            self.client.create_oct_key(harness.unique("sdk-oct"), size=256, hardware_protected=True)
        self.assertEqual(oct_key.exception.status_code, 400)
        self.assertEqual(oct_key.exception.error.code, "BadParameter")
        self.assertIn("oct", oct_key.exception.error.message)
        name = harness.unique("sdk-release")
        self.client.create_rsa_key(name, size=2048)
        for call in (lambda: self.client.release_key(name, "attestation-token"), lambda: self.client.get_key_attestation(name)):
            with self.assertRaises(HttpResponseError) as refused:
                call()
            self.assertEqual(refused.exception.status_code, 501, "not supported by this offline vault")
            self.assertEqual(refused.exception.error.code, "NotSupported")
            self.assertTrue(refused.exception.error.message)

    def test_import_a_local_key(self):
        private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        numbers = private.private_numbers()
        jwk = JsonWebKey(
            kty="RSA",
            n=_int_bytes(numbers.public_numbers.n),
            e=_int_bytes(numbers.public_numbers.e),
            d=_int_bytes(numbers.d),
            p=_int_bytes(numbers.p),
            q=_int_bytes(numbers.q),
            dp=_int_bytes(numbers.dmp1),
            dq=_int_bytes(numbers.dmq1),
            qi=_int_bytes(numbers.iqmp),
        )
        name = harness.unique("sdk-import")
        imported = self.client.import_key(name, jwk)
        self.assertEqual(imported.key.n, jwk.n)
        self.assertIsNone(imported.key.d, "private members never come back")
        digest = hashlib.sha256(b"imported").digest()
        signed = self.crypto(imported).sign(SignatureAlgorithm.rs256, digest)
        private.public_key().verify(signed.signature, b"imported", padding.PKCS1v15(), hashes.SHA256())

    def test_delete_recover_purge_backup_restore(self):
        name = harness.unique("sdk-life")
        self.client.create_ec_key(name)
        backup = self.client.backup_key(name)
        deleted = self.client.begin_delete_key(name).result()
        self.assertTrue(deleted.recovery_id.endswith(f"/deletedkeys/{name}"))
        self.assertEqual(self.client.get_deleted_key(name).name, name)
        self.assertIn(name, [d.name for d in self.client.list_deleted_keys()])
        self.client.begin_recover_deleted_key(name).wait()
        self.assertEqual(self.client.get_key(name).name, name)
        self.client.begin_delete_key(name).wait()
        self.client.purge_deleted_key(name)
        with self.assertRaises(ResourceNotFoundError):
            self.client.get_deleted_key(name)
        restored = self.client.restore_key_backup(backup)
        self.assertEqual(restored.name, name)

    def test_rotation_policy(self):
        name = harness.unique("sdk-rotating")
        self.client.create_ec_key(name)
        default = self.client.get_key_rotation_policy(name)
        self.assertEqual(default.lifetime_actions[0].action, KeyRotationPolicyAction.notify)
        policy = KeyRotationPolicy(
            expires_in="P1Y",
            lifetime_actions=[KeyRotationLifetimeAction(KeyRotationPolicyAction.rotate, time_after_create="P90D")],
        )
        updated = self.client.update_key_rotation_policy(name, policy)
        self.assertEqual(updated.expires_in, "P1Y")
        self.assertEqual(updated.lifetime_actions[0].time_after_create, "P90D")
        self.assertEqual(self.client.get_key_rotation_policy(name).lifetime_actions[0].action, KeyRotationPolicyAction.rotate)

    def test_random_bytes(self):
        first, second = self.client.get_random_bytes(32), self.client.get_random_bytes(32)
        self.assertEqual((len(first), len(second)), (32, 32))
        self.assertNotEqual(first, second)

    def test_missing_key_is_not_found(self):
        with self.assertRaises(ResourceNotFoundError) as missing:
            self.client.get_key(harness.unique("never-made"))
        self.assertEqual(missing.exception.error.code, "KeyNotFound")


class CryptographyClientTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.credential = harness.credential()
        client = KeyClient(harness.VAULT_URL, cls.credential, **harness.client_kwargs())
        cls.rsa_key = client.create_rsa_key(harness.unique("crypto-rsa"), size=2048)
        cls.ec_keys = {
            curve: client.create_ec_key(harness.unique("crypto-ec"), curve=curve)
            for curve in (KeyCurveName.p_256, KeyCurveName.p_384, KeyCurveName.p_521)
        }

    def remote(self, key):
        # A key id (not the key) keeps every operation on the server.
        return CryptographyClient(key.id, self.credential, **harness.client_kwargs())

    def test_encrypt_decrypt_every_rsa_algorithm(self):
        client = self.remote(self.rsa_key)
        for alg in (EncryptionAlgorithm.rsa_oaep, EncryptionAlgorithm.rsa_oaep_256, EncryptionAlgorithm.rsa1_5):
            encrypted = client.encrypt(alg, b"plain text")
            self.assertEqual(encrypted.key_id, self.rsa_key.id)
            self.assertEqual(client.decrypt(alg, encrypted.ciphertext).plaintext, b"plain text", alg)

    def test_wrap_unwrap(self):
        client = self.remote(self.rsa_key)
        aes = os.urandom(32)
        for alg in (KeyWrapAlgorithm.rsa_oaep, KeyWrapAlgorithm.rsa_oaep_256, KeyWrapAlgorithm.rsa1_5):
            wrapped = client.wrap_key(alg, aes)
            self.assertEqual(client.unwrap_key(alg, wrapped.encrypted_key).key, aes, alg)

    def test_rsa_signatures_verify_remotely_and_locally(self):
        client = self.remote(self.rsa_key)
        public = rsa.RSAPublicNumbers(
            int.from_bytes(self.rsa_key.key.e, "big"), int.from_bytes(self.rsa_key.key.n, "big")
        ).public_key()
        cases = [
            (SignatureAlgorithm.rs256, hashes.SHA256(), padding.PKCS1v15()),
            (SignatureAlgorithm.rs384, hashes.SHA384(), padding.PKCS1v15()),
            (SignatureAlgorithm.rs512, hashes.SHA512(), padding.PKCS1v15()),
            (SignatureAlgorithm.ps256, hashes.SHA256(), padding.PSS(padding.MGF1(hashes.SHA256()), 32)),
            (SignatureAlgorithm.ps384, hashes.SHA384(), padding.PSS(padding.MGF1(hashes.SHA384()), 48)),
            (SignatureAlgorithm.ps512, hashes.SHA512(), padding.PSS(padding.MGF1(hashes.SHA512()), 64)),
        ]
        for alg, hash_alg, pad in cases:
            h = hashes.Hash(hash_alg)
            h.update(b"message")
            digest = h.finalize()
            signed = client.sign(alg, digest)
            self.assertTrue(client.verify(alg, digest, signed.signature).is_valid, alg)
            public.verify(signed.signature, b"message", pad, hash_alg)

    def test_ec_signatures_verify_remotely_and_locally(self):
        cases = {
            KeyCurveName.p_256: (SignatureAlgorithm.es256, hashes.SHA256(), ec.SECP256R1()),
            KeyCurveName.p_384: (SignatureAlgorithm.es384, hashes.SHA384(), ec.SECP384R1()),
            KeyCurveName.p_521: (SignatureAlgorithm.es512, hashes.SHA512(), ec.SECP521R1()),
        }
        for curve, (alg, hash_alg, ec_curve) in cases.items():
            key = self.ec_keys[curve]
            client = self.remote(key)
            h = hashes.Hash(hash_alg)
            h.update(b"message")
            digest = h.finalize()
            signed = client.sign(alg, digest)
            self.assertTrue(client.verify(alg, digest, signed.signature).is_valid, alg)
            half = len(signed.signature) // 2
            der = encode_dss_signature(int.from_bytes(signed.signature[:half], "big"), int.from_bytes(signed.signature[half:], "big"))
            public = ec.EllipticCurvePublicNumbers(int.from_bytes(key.key.x, "big"), int.from_bytes(key.key.y, "big"), ec_curve).public_key()
            public.verify(der, b"message", ec.ECDSA(hash_alg))

    def test_the_cryptography_packages_key_interfaces_sign_and_encrypt_through_the_vault(self):
        key = self.rsa_key
        client = self.remote(key)
        private = client.create_rsa_private_key()
        public = client.create_rsa_public_key()
        signature = private.sign(b"signed by the vault", padding.PKCS1v15(), hashes.SHA256())
        public.verify(signature, b"signed by the vault", padding.PKCS1v15(), hashes.SHA256())
        local = rsa.RSAPublicNumbers(int.from_bytes(key.key.e, "big"), int.from_bytes(key.key.n, "big")).public_key()
        local.verify(signature, b"signed by the vault", padding.PKCS1v15(), hashes.SHA256())
        oaep = padding.OAEP(mgf=padding.MGF1(hashes.SHA256()), algorithm=hashes.SHA256(), label=None)
        ciphertext = public.encrypt(b"for the vault only", oaep)
        self.assertEqual(private.decrypt(ciphertext, oaep), b"for the vault only")

    def test_a_tampered_signature_does_not_verify(self):
        client = self.remote(self.rsa_key)
        digest = hashlib.sha256(b"x").digest()
        signature = bytearray(client.sign(SignatureAlgorithm.rs256, digest).signature)
        signature[0] ^= 1
        self.assertFalse(client.verify(SignatureAlgorithm.rs256, digest, bytes(signature)).is_valid)


if __name__ == "__main__":
    unittest.main()
