"""What every SDK test module shares: the server's address from the environment, a resolver
entry for `<vault>.localhost` (Debian's resolver does not resolve *.localhost; the SDKs are
used unchanged), and a ClientSecretCredential against the practice token endpoint."""

import os
import socket
import uuid

from azure.identity import ClientSecretCredential

PORT = int(os.environ["VAULTMORT_SDK_PORT"])
VAULT = os.environ["VAULTMORT_SDK_VAULT"]
TENANT = os.environ["VAULTMORT_SDK_TENANT"]
CLIENT_ID = os.environ["VAULTMORT_SDK_CLIENT_ID"]
CLIENT_SECRET = os.environ["VAULTMORT_SDK_CLIENT_SECRET"]
CA = os.environ["VAULTMORT_SDK_CA"]
VAULT_URL = f"https://{VAULT}.localhost:{PORT}"

_real_getaddrinfo = socket.getaddrinfo


def _getaddrinfo(host, *args, **kwargs):
    if isinstance(host, str) and host.endswith(".localhost"):
        host = "127.0.0.1"
    return _real_getaddrinfo(host, *args, **kwargs)


socket.getaddrinfo = _getaddrinfo


def credential() -> ClientSecretCredential:
    return ClientSecretCredential(
        TENANT,
        CLIENT_ID,
        CLIENT_SECRET,
        authority=f"https://localhost:{PORT}",
        disable_instance_discovery=True,
        connection_verify=CA,
    )


def client_kwargs() -> dict:
    return {"verify_challenge_resource": False, "connection_verify": CA}


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"
