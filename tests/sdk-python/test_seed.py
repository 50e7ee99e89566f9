"""A seeded throwaway server, read back with the official SDK clients.

This module starts its own `vaultmort serve --ephemeral --seed <file> --port 0` (the binary the
suite runs, VAULTMORT_SDK_BIN), with a private TMPDIR, and takes everything it needs from the
server's one settings line: the authority, the tenant, the CA file and each seeded application's
client id and secret. Every seeded kind (a secret, RSA and EC keys, a self-signed certificate
and one from the practice CA, access policies and an object-scoped role assignment) is read
back with SecretClient, KeyClient and CertificateClient in their default options (only the CA
file is given). The last test stops the server with SIGTERM and checks that the throwaway home
is gone.
"""

import json
import os
import subprocess
import tempfile
import unittest
from pathlib import Path

from azure.core.exceptions import HttpResponseError
from azure.identity import ClientSecretCredential
from azure.keyvault.certificates import CertificateClient
from azure.keyvault.keys import KeyClient
from azure.keyvault.secrets import SecretClient
from cryptography import x509

SEED = """
groups: [{name: rg-seed, location: westeurope}]
applications: [{name: ci-app}, {name: idle-app}, {name: rbac-app}]
vaults:
  - name: seed-vault
    resourceGroup: rg-seed
    sku: standard
    secrets:
      - {name: db-conn, value: "Server=x", contentType: text/plain, tags: {env: test}}
    keys:
      - {name: signer, kty: RSA, size: 2048}
      - {name: ec-signer, kty: EC, curve: P-256}
    issuers: [{name: practice}]
    certificates:
      - {name: site, subject: "CN=site.example", issuer: Self}
      - {name: leaf, subject: "CN=leaf.example", issuer: practice, dnsNames: [leaf.example], keyType: EC}
    accessPolicies:
      - {application: ci-app, secrets: [get, list], keys: [get, sign], certificates: [get, list]}
  - name: seed-rbac
    resourceGroup: rg-other
    enableRbacAuthorization: true
    secrets: [{name: api-key, value: "k-123"}]
roleAssignments:
  - {role: Key Vault Secrets User, application: rbac-app, scope: seed-rbac/secrets/api-key}
"""


class SeededThrowawayServer(unittest.TestCase):
    """One server for the class; the `test_zz_` test stops it (unittest runs tests in name order)."""

    @classmethod
    def setUpClass(cls) -> None:
        cls.scratch = tempfile.TemporaryDirectory(prefix="vaultmort-seed-test-")
        scratch = Path(cls.scratch.name)
        cls.tmpdir = scratch / "tmp"
        cls.tmpdir.mkdir()
        seed = scratch / "seed.yaml"
        seed.write_text(SEED)
        env = {k: v for k, v in os.environ.items() if not k.startswith("VAULTMORT_")}
        env["TMPDIR"] = str(cls.tmpdir)
        cls.server = subprocess.Popen(
            [os.environ["VAULTMORT_SDK_BIN"], "serve", "--ephemeral", "--seed", str(seed), "--port", "0"],
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        line = cls.server.stdout.readline() if cls.server.stdout else ""
        if not line:
            cls.server.wait(timeout=10)
            raise RuntimeError("vaultmort serve --ephemeral --seed printed no settings line")
        cls.settings = json.loads(line)

    @classmethod
    def tearDownClass(cls) -> None:
        if cls.server.poll() is None:
            cls.server.kill()
            cls.server.wait(timeout=10)
        cls.scratch.cleanup()

    def credential(self, application: str) -> ClientSecretCredential:
        app = self.settings["applications"][application]
        return ClientSecretCredential(
            self.settings["tenantId"],
            app["clientId"],
            app["clientSecret"],
            authority=self.settings["authority"],
            disable_instance_discovery=True,
            connection_verify=self.settings["caFile"],
        )

    def client(self, kind, vault: str, application: str):
        return kind(self.settings["vaults"][vault], self.credential(application), connection_verify=self.settings["caFile"])

    def test_settings_name_every_seeded_vault_and_application(self) -> None:
        port = self.settings["port"]
        self.assertEqual(self.settings["vaults"], {
            "seed-vault": f"https://seed-vault.localhost:{port}",
            "seed-rbac": f"https://seed-rbac.localhost:{port}",
        }, "one URL per seeded vault")
        self.assertEqual(sorted(self.settings["applications"]), ["ci-app", "idle-app", "rbac-app"], "every application")
        self.assertTrue(Path(self.settings["caFile"]).is_file(), "the practice root is written into the home")
        self.assertTrue(self.settings["caFile"].startswith(self.settings["home"]), "and goes with it")

    def test_the_seeded_secret_is_read_back(self) -> None:
        secret = self.client(SecretClient, "seed-vault", "ci-app").get_secret("db-conn")
        self.assertEqual(secret.value, "Server=x", "the seeded value")
        self.assertEqual(secret.properties.content_type, "text/plain", "its content type")
        self.assertEqual(secret.properties.tags, {"env": "test"}, "its tags")

    def test_the_seeded_keys_are_read_back(self) -> None:
        keys = self.client(KeyClient, "seed-vault", "ci-app")
        rsa = keys.get_key("signer")
        self.assertEqual(rsa.key_type, "RSA", "the RSA key")
        self.assertEqual(len(rsa.key.n) * 8, 2048, "of the seeded size")
        ec = keys.get_key("ec-signer")
        self.assertEqual((ec.key_type, ec.key.crv), ("EC", "P-256"), "the EC key on its curve")

    def test_the_seeded_certificates_are_read_back(self) -> None:
        certificates = self.client(CertificateClient, "seed-vault", "ci-app")
        site = certificates.get_certificate("site")
        self.assertEqual(x509.load_der_x509_certificate(bytes(site.cer)).subject.rfc4514_string(), "CN=site.example")
        self.assertEqual(site.policy.issuer_name, "Self", "self-signed, as seeded")
        leaf = certificates.get_certificate("leaf")
        parsed = x509.load_der_x509_certificate(bytes(leaf.cer))
        self.assertNotEqual(parsed.issuer, parsed.subject, "the practice CA issued the leaf")
        names = parsed.extensions.get_extension_for_class(x509.SubjectAlternativeName).value.get_values_for_type(x509.DNSName)
        self.assertEqual(names, ["leaf.example"], "with the seeded DNS name")

    def test_an_application_without_a_policy_is_refused(self) -> None:
        with self.assertRaises(HttpResponseError) as refused:
            self.client(SecretClient, "seed-vault", "idle-app").get_secret("db-conn")
        self.assertEqual(refused.exception.status_code, 403, "no policy, no access")

    def test_the_seeded_role_assignment_grants_its_secret(self) -> None:
        secret = self.client(SecretClient, "seed-rbac", "rbac-app").get_secret("api-key")
        self.assertEqual(secret.value, "k-123", "Key Vault Secrets User on the secret reads it")
        with self.assertRaises(HttpResponseError) as refused:
            self.client(SecretClient, "seed-vault", "rbac-app").get_secret("db-conn")
        self.assertEqual(refused.exception.status_code, 403, "the role reaches nothing else")

    def test_zz_stopping_the_server_removes_the_throwaway_home(self) -> None:
        home = Path(self.settings["home"])
        self.assertTrue(home.is_dir(), "the home exists while serving")
        self.server.terminate()
        self.assertEqual(self.server.wait(timeout=30), 0, "SIGTERM is a clean stop")
        self.assertFalse(home.exists(), f"the throwaway home {home} is gone after exit")
        left = [p.name for p in self.tmpdir.iterdir() if p.name.startswith("vaultmort-ephemeral-")]
        self.assertEqual(left, [], "nothing is left in TMPDIR")


if __name__ == "__main__":
    unittest.main()
