"""What every SDK test module shares: the server's address from the environment and
ClientSecretCredentials of the two practice applications against the practice token endpoint:
`sdk-app` (every permission) and `sdk-limited` (secrets get and list only).

The clients run with the SDKs' default options. The only settings are the credential's authority
(the practice token endpoint, with instance discovery off, since it would ask
login.microsoftonline.com about it) and the practice root as the CA bundle. `<vault>.localhost`
resolves through the system resolver (libnss-myhostname, or the /etc/hosts lines that
`vaultmort setup-client --apply` writes); the server's challenge names `https://localhost:<port>`,
which the SDKs' default challenge-resource check accepts for those vault URLs."""

import os
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
    return {"connection_verify": CA}


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def limited_credential() -> ClientSecretCredential:
    return credential(LIMITED_CLIENT_ID, LIMITED_CLIENT_SECRET)
