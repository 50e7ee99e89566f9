"""The SDKs' error types and codes for what goes wrong in practice: a missing object, an
application refused a permission its access policy does not grant, and a firewall refusing a
client address its rules exclude (127.0.0.2, a second loopback address). Each refusal is also
looked up in the access log with the CLI, with the address the server saw on the socket."""

import json
import os
import subprocess
import unittest

import requests
from azure.core.exceptions import HttpResponseError, ResourceNotFoundError
from azure.core.pipeline.transport import RequestsTransport
from azure.keyvault.keys import KeyClient
from azure.keyvault.secrets import SecretClient

import harness


class FromAddress(requests.adapters.HTTPAdapter):
    """Opens every connection from `address` (the source address of the TCP socket)."""

    def __init__(self, address: str):
        self._address = address
        super().__init__()

    def init_poolmanager(self, *args, **kwargs):
        kwargs["source_address"] = (self._address, 0)
        super().init_poolmanager(*args, **kwargs)


def transport_from(address: str) -> RequestsTransport:
    session = requests.Session()
    session.mount("https://", FromAddress(address))
    return RequestsTransport(session=session, session_owner=True)


def access_log(vault: str) -> list:
    """The vault's access-log records, read by the CLI from the same home the server uses."""
    env = dict(os.environ)
    env.update(VAULTMORT_HOME=os.environ["VAULTMORT_SDK_HOME"], VAULTMORT_KEY_SOURCE="passphrase",
               VAULTMORT_PASSPHRASE="sdk conformance passphrase")
    out = subprocess.run([os.environ["VAULTMORT_SDK_BIN"], "keyvault", "log", "list", "--vault-name", vault, "-o", "json"],
                         env=env, check=True, capture_output=True, text=True)
    return json.loads(out.stdout)


class ErrorTest(unittest.TestCase):
    def test_a_missing_secret_is_resource_not_found_with_key_vaults_code(self):
        client = SecretClient(harness.VAULT_URL, harness.credential(), **harness.client_kwargs())
        with self.assertRaises(ResourceNotFoundError) as missing:
            client.get_secret(harness.unique("never-set"))
        self.assertEqual(missing.exception.status_code, 404)
        self.assertEqual(missing.exception.error.code, "SecretNotFound")

    def test_an_application_without_the_permission_is_forbidden(self):
        name = harness.unique("limited")
        SecretClient(harness.VAULT_URL, harness.credential(), **harness.client_kwargs()).set_secret(name, "readable")
        limited = SecretClient(harness.VAULT_URL, harness.limited_credential(), **harness.client_kwargs())
        self.assertEqual(limited.get_secret(name).value, "readable", "secrets get is granted")
        with self.assertRaises(HttpResponseError) as refused:
            limited.set_secret(name, "overwritten")
        self.assertEqual(refused.exception.status_code, 403)
        self.assertEqual(refused.exception.error.code, "Forbidden")
        self.assertEqual(refused.exception.error.innererror.get("code"), "AccessDenied", "an access policy refused, as Key Vault says")
        self.assertIn("secrets set", refused.exception.error.message, "the refusal names the missing permission")
        keys = KeyClient(harness.VAULT_URL, harness.limited_credential(), **harness.client_kwargs())
        with self.assertRaises(HttpResponseError) as no_keys:
            list(keys.list_properties_of_keys())
        self.assertEqual(no_keys.exception.status_code, 403, "no key permission at all")
        self.assertEqual(no_keys.exception.error.code, "Forbidden")
        records = [r for r in access_log(harness.VAULT) if r["identity"]["claim"]["name"] == "sdk-limited"]
        self.assertIn(403, [r["properties"]["httpStatusCode"] for r in records], "the refusals are in the access log")

    def test_the_firewall_refuses_an_excluded_address(self):
        url = harness.FIREWALLED_VAULT_URL
        name = harness.unique("fw")
        admitted = SecretClient(url, harness.credential(), transport=transport_from("127.0.0.1"), **harness.client_kwargs())
        admitted.set_secret(name, "inside")
        refused_client = SecretClient(url, harness.credential(), transport=transport_from("127.0.0.2"), **harness.client_kwargs())
        with self.assertRaises(HttpResponseError) as refused:
            refused_client.get_secret(name)
        error = refused.exception
        self.assertEqual(error.status_code, 403)
        self.assertEqual(error.error.code, "Forbidden")
        self.assertEqual(error.error.innererror.get("code"), "ForbiddenByFirewall", "the inner error names the firewall")
        self.assertIn("127.0.0.2", error.error.message, "the refused address is named")
        self.assertNotIn("inside", error.error.message, "never the value")
        denied = [r for r in access_log(os.environ["VAULTMORT_SDK_FIREWALLED_VAULT"])
                  if r["callerIpAddress"] == "127.0.0.2" and r["properties"]["httpStatusCode"] == 403]
        self.assertTrue(denied, "the refusal is audited with the socket's peer address")


if __name__ == "__main__":
    unittest.main()
