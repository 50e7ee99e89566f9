#!/usr/bin/env python3
"""An independent BYOK wrapper: makes a `.byok` key-transfer file without any Vaultmort code.

Usage: byok_wrap.py KEK_PUBLIC_PEM KEK_KID TARGET_PKCS8_DER OUT_BYOK

It does what an HSM vendor's BYOK tool does for Azure Key Vault, with the Python `cryptography`
package: a fresh AES-256 key is encrypted under the key-exchange key with RSA-OAEP (SHA-1,
MGF1-SHA-1), and the target key's PKCS#8 DER is wrapped under that AES key with AES key wrap
with padding (RFC 5649). The ciphertext is the two concatenated, base64url without padding, in
the JSON shape of Azure's transfer blobs. The CLI tests use it to check that `keyvault key
import --byok-file` takes a blob that Vaultmort did not make itself.
"""

import base64
import json
import os
import sys

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding
from cryptography.hazmat.primitives.keywrap import aes_key_wrap_with_padding


def main() -> None:
    kek_pem, kid, target_der, out = sys.argv[1:5]
    with open(kek_pem, "rb") as f:
        kek = serialization.load_pem_public_key(f.read())
    with open(target_der, "rb") as f:
        target = f.read()
    aes_key = os.urandom(32)
    wrapped_aes = kek.encrypt(
        aes_key,
        padding.OAEP(mgf=padding.MGF1(algorithm=hashes.SHA1()), algorithm=hashes.SHA1(), label=None),
    )
    wrapped_target = aes_key_wrap_with_padding(aes_key, target)
    blob = {
        "schema_version": "1.0.0",
        "header": {"kid": kid, "alg": "dir", "enc": "CKM_RSA_AES_KEY_WRAP"},
        "ciphertext": base64.urlsafe_b64encode(wrapped_aes + wrapped_target).decode("ascii").rstrip("="),
        "generator": "independent test wrapper (Python cryptography)",
    }
    with open(out, "w", encoding="utf-8") as f:
        json.dump(blob, f)


if __name__ == "__main__":
    main()
