"""azure-keyvault-secrets: every public SecretClient method against vaultmort serve."""

import unittest

from azure.core.exceptions import HttpResponseError, ResourceNotFoundError
from azure.keyvault.secrets import SecretClient

import harness


class SecretClientTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.client = SecretClient(harness.VAULT_URL, harness.credential(), **harness.client_kwargs())

    def test_set_get_versions_and_update(self):
        name = harness.unique("sdk-secret")
        first = self.client.set_secret(name, "one", content_type="text/plain", tags={"env": "dev"})
        self.assertEqual(first.value, "one")
        self.assertEqual(first.properties.content_type, "text/plain")
        self.assertEqual(first.properties.tags, {"env": "dev"})
        self.assertTrue(first.id.startswith(f"{harness.VAULT_URL}/secrets/{name}/"))
        second = self.client.set_secret(name, "two")
        self.assertEqual(self.client.get_secret(name).value, "two", "no version means the latest")
        self.assertEqual(self.client.get_secret(name, first.properties.version).value, "one")
        versions = list(self.client.list_properties_of_secret_versions(name))
        self.assertEqual({v.version for v in versions}, {first.properties.version, second.properties.version})
        updated = self.client.update_secret_properties(name, first.properties.version, enabled=False, tags={"a": "b"})
        self.assertFalse(updated.enabled)
        self.assertEqual(updated.tags, {"a": "b"})
        self.assertIsNotNone(updated.created_on)
        self.assertEqual(updated.recovery_level, "Recoverable+Purgeable")

    def test_listing_follows_next_links(self):
        prefix = harness.unique("page")
        for i in range(30):
            self.client.set_secret(f"{prefix}-{i}", "x")
        names = [p.name for p in self.client.list_properties_of_secrets(max_page_size=7)]
        self.assertEqual(len([n for n in names if n.startswith(prefix)]), 30, "every page is followed")

    def test_delete_recover_purge(self):
        name = harness.unique("sdk-deleted")
        self.client.set_secret(name, "v")
        deleted = self.client.begin_delete_secret(name).result()
        self.assertEqual(deleted.name, name)
        self.assertIsNotNone(deleted.scheduled_purge_date)
        self.assertTrue(deleted.recovery_id.endswith(f"/deletedsecrets/{name}"))
        self.assertEqual(self.client.get_deleted_secret(name).name, name)
        self.assertIn(name, [d.name for d in self.client.list_deleted_secrets()])
        recovered = self.client.begin_recover_deleted_secret(name).result()
        self.assertEqual(recovered.name, name)
        self.assertEqual(self.client.get_secret(name).value, "v")
        self.client.begin_delete_secret(name).wait()
        self.client.purge_deleted_secret(name)
        with self.assertRaises(ResourceNotFoundError):
            self.client.get_deleted_secret(name)

    def test_backup_and_restore(self):
        name = harness.unique("sdk-backup")
        self.client.set_secret(name, "kept")
        backup = self.client.backup_secret(name)
        self.assertIsInstance(backup, bytes)
        self.client.begin_delete_secret(name).wait()
        self.client.purge_deleted_secret(name)
        restored = self.client.restore_secret_backup(backup)
        self.assertEqual(restored.name, name)
        self.assertEqual(self.client.get_secret(name).value, "kept")

    def test_errors_have_key_vault_codes(self):
        with self.assertRaises(ResourceNotFoundError) as missing:
            self.client.get_secret(harness.unique("never-set"))
        self.assertEqual(missing.exception.error.code, "SecretNotFound")
        with self.assertRaises(HttpResponseError) as bad:
            self.client.set_secret(harness.unique("too-big"), "x" * (26 * 1024))
        self.assertEqual(bad.exception.status_code, 400)
        self.assertEqual(bad.exception.error.code, "BadParameter")


if __name__ == "__main__":
    unittest.main()
