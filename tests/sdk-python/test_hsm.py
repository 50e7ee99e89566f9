"""HSM-protected keys through azure-keyvault-keys: `hardware_protected=True` in a Premium vault,
refused in a Standard one, and bring-your-own-key with a transfer blob made by the `cryptography`
package (RSA-OAEP SHA-1 of an AES-256 key, then AES key wrap with padding of the target key's
PKCS#8), which is independent of Vaultmort's own code. Signatures are checked locally."""

import base64
import hashlib
import json
import os
import unittest

from azure.core.exceptions import HttpResponseError
from azure.keyvault.keys import JsonWebKey, KeyClient, KeyType
from azure.keyvault.keys.crypto import CryptographyClient, SignatureAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.keywrap import aes_key_wrap_with_padding

import harness


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _public_from_jwk(key) -> rsa.RSAPublicKey:
    n = int.from_bytes(key.n, "big")
    e = int.from_bytes(key.e, "big")
    return rsa.RSAPublicNumbers(e, n).public_key()


def transfer_blob(kek, target: rsa.RSAPrivateKey) -> bytes:
    """What an HSM vendor's tool writes for `kek` (a KeyVaultKey), as JSON bytes."""
    transport = os.urandom(32)
    oaep = padding.OAEP(mgf=padding.MGF1(hashes.SHA1()), algorithm=hashes.SHA1(), label=None)
    wrapped_transport = _public_from_jwk(kek.key).encrypt(transport, oaep)
    pkcs8 = target.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    wrapped_key = aes_key_wrap_with_padding(transport, pkcs8)
    blob = {
        "schema_version": "1.0.0",
        "header": {"kid": kek.id, "alg": "dir", "enc": "CKM_RSA_AES_KEY_WRAP"},
        "ciphertext": _b64url(wrapped_transport + wrapped_key),
        "generator": "python cryptography (vaultmort SDK tests)",
    }
    return json.dumps(blob).encode()


# The SDK names the transfer blob `t` in JsonWebKey; on the wire it is `key_hsm`.
class HsmKeyTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.credential = harness.credential()
        cls.premium = KeyClient(harness.PREMIUM_VAULT_URL, cls.credential, **harness.client_kwargs())
        cls.standard = KeyClient(harness.VAULT_URL, cls.credential, **harness.client_kwargs())

    def crypto(self, key):
        return CryptographyClient(key, self.credential, **harness.client_kwargs())

    def test_hardware_protected_rsa_key_signs_in_the_hsm(self):
        name = harness.unique("sdk-hsm")
        key = self.premium.create_rsa_key(name, size=2048, hardware_protected=True)
        self.assertEqual(key.key_type, KeyType.rsa_hsm)
        self.assertIn(KeyType.rsa_hsm, [self.premium.get_key(name).key_type])
        digest = hashlib.sha256(b"signed in the token").digest()
        signed = self.crypto(key).sign(SignatureAlgorithm.ps256, digest)
        public = _public_from_jwk(key.key)
        pss = padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=32)
        public.verify(signed.signature, b"signed in the token", pss, hashes.SHA256())
        ec_key = self.premium.create_ec_key(harness.unique("sdk-hsm-ec"), hardware_protected=True)
        self.assertEqual(ec_key.key_type, KeyType.ec_hsm)

    def test_a_standard_vault_refuses_hardware_protection(self):
        with self.assertRaises(HttpResponseError) as caught:
            self.standard.create_rsa_key(harness.unique("sdk-hsm"), hardware_protected=True)
        self.assertEqual(caught.exception.status_code, 400)
        self.assertEqual(caught.exception.error.code, "BadParameter")
        self.assertIn("Hardware key operation not allowed on standard vault", caught.exception.message)

    def test_bring_your_own_key_with_an_independent_wrapper(self):
        kek = self.premium.create_rsa_key(harness.unique("sdk-kek"), size=2048, hardware_protected=True, key_operations=["import"])
        self.assertEqual(kek.key_operations, ["import"])
        target = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        name = harness.unique("sdk-byok")
        jwk = JsonWebKey(kty=KeyType.rsa_hsm, t=transfer_blob(kek, target))
        imported = self.premium.import_key(name, jwk)
        self.assertEqual(imported.key_type, KeyType.rsa_hsm)
        self.assertEqual(int.from_bytes(imported.key.n, "big"), target.public_key().public_numbers().n)
        digest = hashlib.sha256(b"brought my own key").digest()
        signed = self.crypto(imported).sign(SignatureAlgorithm.rs256, digest)
        target.public_key().verify(signed.signature, b"brought my own key", padding.PKCS1v15(), hashes.SHA256())

        # A changed blob is refused with a code, and no key of that name appears.
        tampered = json.loads(transfer_blob(kek, target))
        raw = bytearray(base64.urlsafe_b64decode(tampered["ciphertext"] + "=="))
        raw[-3] ^= 0x40
        tampered["ciphertext"] = _b64url(bytes(raw))
        refused_name = harness.unique("sdk-byok-bad")
        with self.assertRaises(HttpResponseError) as caught:
            self.premium.import_key(refused_name, JsonWebKey(kty=KeyType.rsa_hsm, t=json.dumps(tampered).encode()))
        self.assertEqual(caught.exception.error.code, "BadParameter")
        self.assertNotIn(refused_name, [p.name for p in self.premium.list_properties_of_keys()])
