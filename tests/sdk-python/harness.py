"""What every SDK test module shares: the server's address from the environment, a resolver
entry for `<vault>.localhost` (Debian's resolver does not resolve *.localhost; the SDKs are
used unchanged), and ClientSecretCredentials of the two practice applications against the practice
token endpoint: `sdk-app` (every permission) and `sdk-limited` (secrets get and list only)."""

import os
import socket
import uuid

from azure.identity import ClientSecretCredential

PORT = int(os.environ["VAULTMORT_SDK_PORT"])
VAULT = os.environ["VAULTMORT_SDK_VAULT"]
TENANT = os.environ["VAULTMORT_SDK_TENANT"]
CLIENT_ID = os.environ["VAULTMORT_SDK_CLIENT_ID"]
CLIENT_SECRET = os.environ["VAULTMORT_SDK_CLIENT_SECRET"]
LIMITED_CLIENT_ID = os.environ["VAULTMORT_SDK_LIMITED_CLIENT_ID"]
LIMITED_CLIENT_SECRET = os.environ["VAULTMORT_SDK_LIMITED_CLIENT_SECRET"]
FIREWALLED_VAULT_URL = f"https://{os.environ['VAULTMORT_SDK_FIREWALLED_VAULT']}.localhost:{PORT}"
CA = os.environ["VAULTMORT_SDK_CA"]
VAULT_URL = f"https://{VAULT}.localhost:{PORT}"
PREMIUM_VAULT_URL = f"https://{os.environ['VAULTMORT_SDK_PREMIUM_VAULT']}.localhost:{PORT}"

_real_getaddrinfo = socket.getaddrinfo


def _getaddrinfo(host, *args, **kwargs):
    if isinstance(host, str) and host.endswith(".localhost"):
        host = "127.0.0.1"
    return _real_getaddrinfo(host, *args, **kwargs)


socket.getaddrinfo = _getaddrinfo


def credential(client_id: str = CLIENT_ID, client_secret: str = CLIENT_SECRET) -> ClientSecretCredential:
    return ClientSecretCredential(
        TENANT,
        client_id,
        client_secret,
        authority=f"https://localhost:{PORT}",
        disable_instance_discovery=True,
        connection_verify=CA,
    )


def client_kwargs() -> dict:
    return {"verify_challenge_resource": False, "connection_verify": CA}


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def limited_credential() -> ClientSecretCredential:
    return credential(LIMITED_CLIENT_ID, LIMITED_CLIENT_SECRET)
