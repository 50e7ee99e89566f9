"""Every api-version the pinned SDKs can send works against the server, and docs/parity.md lists
each one. The versions come from the SDKs' own `ApiVersion` enums, so a new pinned SDK with a new
version fails here until the server has been tried with it and the table says what it adds."""

import re
import unittest
from pathlib import Path

from azure.keyvault.certificates import ApiVersion as CertificateApiVersion
from azure.keyvault.certificates import CertificateClient
from azure.keyvault.keys import ApiVersion as KeyApiVersion
from azure.keyvault.keys import KeyClient
from azure.keyvault.secrets import ApiVersion as SecretApiVersion
from azure.keyvault.secrets import SecretClient

import harness

PARITY = Path(__file__).resolve().parent.parent.parent / "docs" / "parity.md"


def documented_versions() -> set:
    """The versions named in the first column of parity.md's api-version table."""
    text = PARITY.read_text()
    section = text.split("## api-versions", 1)[1]
    return set(re.findall(r"^\| `([0-9][0-9a-z.\-]*)` \|", section, flags=re.MULTILINE))


class ApiVersionTest(unittest.TestCase):
    def test_every_version_the_sdks_know_is_documented(self):
        known = {v.value for enum in (SecretApiVersion, KeyApiVersion, CertificateApiVersion) for v in enum}
        missing = sorted(known - documented_versions())
        self.assertEqual(missing, [], "docs/parity.md's api-version table must list every version the pinned SDKs can send")

    def test_secrets_work_at_every_version_the_secrets_sdk_knows(self):
        name = harness.unique("apiver")
        for version in SecretApiVersion:
            with self.subTest(api_version=version.value):
                client = SecretClient(harness.VAULT_URL, harness.credential(), api_version=version, **harness.client_kwargs())
                client.set_secret(name, f"at {version.value}")
                self.assertEqual(client.get_secret(name).value, f"at {version.value}")

    def test_keys_work_at_every_version_the_keys_sdk_knows(self):
        for version in KeyApiVersion:
            with self.subTest(api_version=version.value):
                client = KeyClient(harness.VAULT_URL, harness.credential(), api_version=version, **harness.client_kwargs())
                key = client.create_ec_key(harness.unique("apiver"))
                self.assertEqual(client.get_key(key.name).id, key.id)

    def test_certificate_reads_work_at_every_version_the_certificates_sdk_knows(self):
        for version in CertificateApiVersion:
            with self.subTest(api_version=version.value):
                client = CertificateClient(harness.VAULT_URL, harness.credential(), api_version=version, **harness.client_kwargs())
                self.assertIsInstance(list(client.list_properties_of_certificates(max_page_size=1)), list)


if __name__ == "__main__":
    unittest.main()
