"""azure-keyvault-certificates: CertificateClient against vaultmort serve: Self, the practice
CA, Unknown then merge, PFX and PEM import, policy, issuers, contacts, pending operations,
backup and restore, delete, recover and purge."""

import datetime
import unittest

from azure.core.exceptions import ResourceNotFoundError
from azure.keyvault.certificates import (
    CertificateClient,
    CertificateContact,
    CertificateContentType,
    CertificatePolicy,
    WellKnownIssuerNames,
)
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID

import harness


def _self_signed(common_name: str):
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    return key, cert


class CertificateClientTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.client = CertificateClient(harness.VAULT_URL, harness.credential(), **harness.client_kwargs())

    def test_self_signed_with_the_default_policy(self):
        name = harness.unique("sdk-self")
        cert = self.client.begin_create_certificate(name, CertificatePolicy.get_default(), _polling_interval=0).result()
        self.assertEqual(cert.name, name)
        self.assertTrue(cert.id.startswith(f"{harness.VAULT_URL}/certificates/{name}/"))
        parsed = x509.load_der_x509_certificate(bytes(cert.cer))
        self.assertEqual(parsed.subject.rfc4514_string(), "CN=DefaultPolicy")
        self.assertEqual(cert.policy.issuer_name, "Self")
        self.assertEqual(self.client.get_certificate(name).id, cert.id)
        self.assertEqual(self.client.get_certificate_version(name, cert.properties.version).id, cert.id)
        self.assertIn(name, [c.name for c in self.client.list_properties_of_certificates()])
        self.assertEqual(len(list(self.client.list_properties_of_certificate_versions(name))), 1)
        updated = self.client.update_certificate_properties(name, enabled=False, tags={"a": "b"})
        self.assertFalse(updated.properties.enabled)
        self.assertEqual(updated.properties.tags, {"a": "b"})

    def test_policy_get_and_update(self):
        name = harness.unique("sdk-policy")
        self.client.begin_create_certificate(name, CertificatePolicy.get_default(), _polling_interval=0).wait()
        policy = self.client.get_certificate_policy(name)
        self.assertEqual(policy.subject, "CN=DefaultPolicy")
        policy = CertificatePolicy(issuer_name="Self", subject="CN=changed", validity_in_months=6)
        updated = self.client.update_certificate_policy(name, policy)
        self.assertEqual(updated.subject, "CN=changed")
        self.assertEqual(updated.validity_in_months, 6)

    def test_practice_ca_issuer(self):
        issuer = harness.unique("practice")
        created = self.client.create_issuer(issuer, provider="VaultmortPractice")
        self.assertEqual(created.provider, "VaultmortPractice")
        self.assertEqual(self.client.get_issuer(issuer).name, issuer)
        self.assertIn(issuer, [i.name for i in self.client.list_properties_of_issuers()])
        updated = self.client.update_issuer(issuer, enabled=True, account_id="acct")
        self.assertEqual(updated.account_id, "acct")
        name = harness.unique("sdk-ca")
        cert = self.client.begin_create_certificate(
            name, CertificatePolicy(issuer_name=issuer, subject="CN=app.example"), _polling_interval=0
        ).result()
        parsed = x509.load_der_x509_certificate(bytes(cert.cer))
        self.assertIn("Vaultmort Practice Issuing CA", parsed.issuer.rfc4514_string())
        self.client.begin_delete_certificate(name).wait()
        self.client.purge_deleted_certificate(name)
        self.assertEqual(self.client.delete_issuer(issuer).name, issuer)

    def test_unknown_issuer_then_merge(self):
        name = harness.unique("sdk-merge")
        poller = self.client.begin_create_certificate(
            name, CertificatePolicy(issuer_name=WellKnownIssuerNames.unknown, subject="CN=merged.example")
        )
        pending = self.client.get_certificate_operation(name)
        self.assertEqual(pending.status.lower(), "inprogress")
        csr = x509.load_der_x509_csr(bytes(pending.csr))
        ca_key, ca_cert = _self_signed("Test CA")
        now = datetime.datetime.now(datetime.timezone.utc)
        signed = (
            x509.CertificateBuilder()
            .subject_name(csr.subject)
            .issuer_name(ca_cert.subject)
            .public_key(csr.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(hours=1))
            .not_valid_after(now + datetime.timedelta(days=90))
            .sign(ca_key, hashes.SHA256())
        )
        merged = self.client.merge_certificate(name, [signed.public_bytes(serialization.Encoding.DER)])
        self.assertEqual(merged.name, name)
        self.assertEqual(bytes(merged.cer), signed.public_bytes(serialization.Encoding.DER))
        del poller

    def test_cancel_and_delete_a_pending_operation(self):
        name = harness.unique("sdk-cancel")
        self.client.begin_create_certificate(name, CertificatePolicy(issuer_name="Unknown", subject="CN=x"))
        cancelled = self.client.cancel_certificate_operation(name)
        self.assertTrue(cancelled.cancellation_requested)
        deleted = self.client.delete_certificate_operation(name)
        self.assertEqual(deleted.name, name)

    def test_import_pfx_and_pem(self):
        key, cert = _self_signed("imported.example")
        pfx = pkcs12.serialize_key_and_certificates(b"x", key, cert, None, serialization.BestAvailableEncryption(b"pw"))
        name = harness.unique("sdk-pfx")
        imported = self.client.import_certificate(name, pfx, password="pw")
        self.assertEqual(bytes(imported.cer), cert.public_bytes(serialization.Encoding.DER))
        pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
        pem += cert.public_bytes(serialization.Encoding.PEM)
        pem_name = harness.unique("sdk-pem")
        imported = self.client.import_certificate(pem_name, pem, policy=CertificatePolicy(issuer_name="Self", subject="CN=imported.example", content_type=CertificateContentType.pem))
        self.assertEqual(bytes(imported.cer), cert.public_bytes(serialization.Encoding.DER))

    def test_contacts(self):
        contacts = [CertificateContact(email="admin@example.com", name="Admin", phone="123")]
        set_contacts = self.client.set_contacts(contacts)
        self.assertEqual([c.email for c in set_contacts], ["admin@example.com"])
        self.assertEqual([c.email for c in self.client.get_contacts()], ["admin@example.com"])
        self.assertEqual([c.email for c in self.client.delete_contacts()], ["admin@example.com"])

    def test_backup_restore_delete_recover_purge(self):
        name = harness.unique("sdk-life")
        self.client.begin_create_certificate(name, CertificatePolicy.get_default(), _polling_interval=0).wait()
        backup = self.client.backup_certificate(name)
        deleted = self.client.begin_delete_certificate(name).result()
        self.assertTrue(deleted.recovery_id.endswith(f"/deletedcertificates/{name}"))
        self.assertEqual(self.client.get_deleted_certificate(name).name, name)
        self.assertIn(name, [d.name for d in self.client.list_deleted_certificates()])
        self.client.begin_recover_deleted_certificate(name).wait()
        self.assertEqual(self.client.get_certificate(name).name, name)
        self.client.begin_delete_certificate(name).wait()
        self.client.purge_deleted_certificate(name)
        with self.assertRaises(ResourceNotFoundError):
            self.client.get_deleted_certificate(name)
        restored = self.client.restore_certificate_backup(backup)
        self.assertEqual(restored.name, name)

    def test_missing_certificate_is_not_found(self):
        with self.assertRaises(ResourceNotFoundError) as missing:
            self.client.get_certificate(harness.unique("never-made"))
        self.assertEqual(missing.exception.error.code, "CertificateNotFound")


if __name__ == "__main__":
    unittest.main()
