"""The SDKs run with their default options: the challenge-resource check stays on and passes for
`https://<vault>.localhost:<port>`, the vault's host name resolves through the system resolver
(nothing here patches the socket module), and the token the SDK asks for is for the resource the
server's challenge names. Against an address the check cannot accept (an IP address), the SDK's
own check refuses, which shows the suite does not get around it."""

import socket
import unittest
from urllib.parse import urlparse

from azure.keyvault.secrets import SecretClient

import harness


class RecordingCredential:
    """The practice credential, noting the scopes the SDK asks tokens for."""

    def __init__(self):
        self.inner = harness.credential()
        self.scopes = []

    def get_token(self, *scopes, **kwargs):
        self.scopes.extend(scopes)
        return self.inner.get_token(*scopes, **kwargs)

    def get_token_info(self, *scopes, options=None):
        self.scopes.extend(scopes)
        return self.inner.get_token_info(*scopes, options=options)


class DefaultOptionsTest(unittest.TestCase):
    def test_vault_host_names_resolve_through_the_system_resolver(self):
        self.assertEqual(socket.getaddrinfo.__module__, "socket", "socket.getaddrinfo is the standard library's, not a patch")
        host = urlparse(harness.VAULT_URL).hostname
        addresses = {info[4][0] for info in socket.getaddrinfo(host, harness.PORT, type=socket.SOCK_STREAM)}
        self.assertIn("127.0.0.1", addresses, f"{host} resolves to loopback through NSS (myhostname or /etc/hosts)")

    def test_the_sdk_asks_for_the_challenges_resource_and_its_check_passes(self):
        credential = RecordingCredential()
        client = SecretClient(harness.VAULT_URL, credential)
        name = harness.unique("defaults")
        client.set_secret(name, "with default options")
        self.assertEqual(client.get_secret(name).value, "with default options")
        self.assertEqual(
            set(credential.scopes),
            {f"https://localhost:{harness.PORT}/.default"},
            "the SDK took its scope from the challenge's resource, which its default check accepted",
        )

    def test_the_sdks_check_still_refuses_a_challenge_for_another_host(self):
        # The default vault answers on https://127.0.0.1:<port> too, but an IP address can never
        # end with ".localhost:<port>": the SDK's own check must refuse before any token is asked.
        credential = RecordingCredential()
        client = SecretClient(f"https://127.0.0.1:{harness.PORT}", credential, connection_verify=harness.CA)
        with self.assertRaises(ValueError) as refused:
            client.get_secret("anything")
        self.assertIn("does not match the requested domain", str(refused.exception))
        self.assertEqual(credential.scopes, [], "no token was requested for a resource the check refused")


if __name__ == "__main__":
    unittest.main()
