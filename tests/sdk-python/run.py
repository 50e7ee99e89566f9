#!/usr/bin/env python3
"""Runs the official Azure SDK for Python conformance suite against `vaultmort serve`.

Stdlib only, so any python3 (3.9+) can start it: it makes (once) a virtual environment under
.tools/sdk-python with the pinned SDKs from requirements.txt, creates a throwaway home with a
passphrase-protected store, a resource group and three vaults through the CLI (the second behind a
firewall that admits only 127.0.0.1, the third a Premium vault for HSM-protected keys), and two practice applications in the directory: `sdk-app`
with every permission on both vaults, and `sdk-limited` with only secrets get and list. It
exports the practice CA's root, starts `vaultmort serve --port 0`, and runs the unittest modules
test_*.py here with the server's address, tenant and both applications' client ids and secrets
in the environment. The SDKs get their tokens from the practice token endpoint as these
applications; nothing runs as the installation's owner. The clients use the SDKs' default
options; `<vault>.localhost` must resolve through the system resolver (libnss-myhostname, which
`cargo xtask setup` installs, or `vaultmort setup-client --apply`).

    python3 tests/sdk-python/run.py [--vaultmort target/debug/vaultmort] [unittest args...]
"""

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
sys.path.insert(0, str(ROOT / "tests"))
import practice  # noqa: E402  (tests/practice.py, shared by the Python runners)

VENV = ROOT / ".tools" / "sdk-python"
VAULT = "sdkvault"
FIREWALLED_VAULT = "sdkfirewalled"
PREMIUM_VAULT = "sdkpremium"


def venv_python() -> Path:
    return practice.cached_venv(VENV, HERE / "requirements.txt", "sdk-python")


def main() -> int:
    binary, args = practice.binary_and_args(sys.argv[1:])
    if not practice.localhost_resolves(f"{VAULT}.localhost", "sdk-python"):
        return 1
    python = venv_python()
    with tempfile.TemporaryDirectory(prefix="vaultmort-sdk-python-") as scratch:
        scratch = Path(scratch)
        env = {k: v for k, v in os.environ.items() if not k.startswith("VAULTMORT_")}
        env.update(
            VAULTMORT_HOME=str(scratch / "home"),
            VAULTMORT_KEY_SOURCE="passphrase",
            VAULTMORT_PASSPHRASE="sdk conformance passphrase",
        )

        def cli(*words: str) -> None:
            subprocess.run([binary, *words, "-o", "none"], env=env, check=True)

        def cli_json(*words: str) -> dict:
            out = subprocess.run([binary, *words, "-o", "json"], env=env, check=True, capture_output=True, text=True)
            return json.loads(out.stdout)

        cli("group", "create", "--name", "sdk-rg", "--location", "westeurope")
        cli("keyvault", "create", "--name", VAULT, "--resource-group", "sdk-rg")
        cli("keyvault", "create", "--name", FIREWALLED_VAULT, "--resource-group", "sdk-rg")
        cli("keyvault", "create", "--name", PREMIUM_VAULT, "--resource-group", "sdk-rg", "--sku", "premium")
        app = cli_json("ad", "sp", "create", "--display-name", "sdk-app")
        limited = cli_json("ad", "sp", "create", "--display-name", "sdk-limited")
        for vault in (VAULT, FIREWALLED_VAULT, PREMIUM_VAULT):
            cli("keyvault", "set-policy", "--name", vault, "--spn", app["appId"],
                "--key-permissions", "all", "--secret-permissions", "all", "--certificate-permissions", "all")
        cli("keyvault", "set-policy", "--name", VAULT, "--spn", limited["appId"], "--secret-permissions", "get", "list")
        cli("keyvault", "network-rule", "add", "--name", FIREWALLED_VAULT, "--ip-address", "127.0.0.1")
        cli("keyvault", "update", "--name", FIREWALLED_VAULT, "--default-action", "Deny", "--bypass", "None")
        ca = scratch / "practice-root.pem"
        cli("ca", "export-root", "--file", str(ca))
        server, info = practice.start_server(binary, ["--port", "0", "--default-vault", VAULT], env, "sdk-python")
        if server is None:
            return 1
        try:
            test_env = dict(os.environ)
            test_env.update(
                VAULTMORT_SDK_PORT=str(info["port"]),
                VAULTMORT_SDK_VAULT=VAULT,
                VAULTMORT_SDK_FIREWALLED_VAULT=FIREWALLED_VAULT,
                VAULTMORT_SDK_PREMIUM_VAULT=PREMIUM_VAULT,
                VAULTMORT_SDK_TENANT=info["tenantId"],
                VAULTMORT_SDK_CLIENT_ID=app["appId"],
                VAULTMORT_SDK_CLIENT_SECRET=app["password"],
                VAULTMORT_SDK_LIMITED_CLIENT_ID=limited["appId"],
                VAULTMORT_SDK_LIMITED_CLIENT_SECRET=limited["password"],
                VAULTMORT_SDK_HOME=str(scratch / "home"),
                VAULTMORT_SDK_BIN=binary,
                VAULTMORT_SDK_CA=str(ca),
                REQUESTS_CA_BUNDLE=str(ca),
                SSL_CERT_FILE=str(ca),
            )
            result = subprocess.run(
                [str(python), "-m", "unittest", "discover", "-s", str(HERE), "-p", "test_*.py", *(args or ["-v"])],
                env=test_env,
                cwd=HERE,
            )
            return result.returncode
        finally:
            practice.stop_server(server)


if __name__ == "__main__":
    sys.exit(main())
