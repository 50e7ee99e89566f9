#!/usr/bin/env python3
"""Runs the real Azure CLI (`az`, pinned in requirements.txt) against `vaultmort serve`.

Stdlib only, so any python3 (3.9+) can start it. It makes (once) a virtual environment under
.tools/az-cli with the pinned azure-cli and starts a seeded throwaway server
(`vaultmort serve --ephemeral --seed`, see docs/seed.md) with a vault and two practice
applications (`az-app` with every data-plane permission, `az-none` with none); the server's
settings line gives the port, tenant, practice root and the applications' credentials. Then it
drives az as a person would, at az's own default api-versions:

- `az cloud register` a cloud named Vaultmort (authority `https://localhost:<port>`, Resource
  Manager on the same host, vault DNS suffix `.localhost:<port>`): once from the server's
  `/metadata/endpoints`, once with every endpoint given; `az cloud set`;
- `az login --service-principal --allow-no-subscriptions` as `az-app`, after showing what az's
  default MSAL instance discovery asks of login.microsoftonline.com (which cannot be answered
  offline) and switching it off with `az config set core.instance_discovery=false`;
- `az keyvault secret set|show|list`, `az keyvault key create|sign|verify|download` (openssl
  checks the signature with the downloaded public key), `az keyvault certificate
  get-default-policy|create|show|download` (openssl reads the certificate);
- as `az-none`, `az keyvault secret show` must fail with the server's Forbidden message.

Every az process runs with its own AZURE_CONFIG_DIR in the scratch folder (telemetry and survey
off), trusts only the practice root (REQUESTS_CA_BUNDLE, SSL_CERT_FILE), and has its HTTP(S)
proxy set to a recording proxy of this runner that refuses every request: only localhost and
*.localhost bypass it, so nothing az sends can leave the machine, and any request to another host
is reported (host and, from az's --debug log, the path). A request to another host that the run
does not expect fails the run.

    python3 tests/az-cli/run.py [--vaultmort target/debug/vaultmort]

Prints one line per check and closes with `N passed, N failed`; exits non-zero on any failure.
"""

import base64
import hashlib
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
sys.path.insert(0, str(ROOT / "tests"))
import practice  # noqa: E402  (tests/practice.py, shared by the Python runners)

VENV = ROOT / ".tools" / "az-cli"
VAULT = "azclivault"
CLOUD = "Vaultmort"
# Resource Manager's token resource in Azure's public cloud: the server issues tokens for it and
# answers its management-plane routes with them (`az login` lists subscriptions).
MANAGEMENT_RESOURCE = "https://management.core.windows.net/"
# Where MSAL validates an authority it does not know, unless instance discovery is off.
INSTANCE_DISCOVERY_HOST = "login.microsoftonline.com:443"
# Where az looks up its latest release, on the first command run with a new config folder
# (azure.cli.core.util.handle_version_update; no setting turns it off). Offline the check fails
# quietly and the command goes on.
VERSION_CHECK_HOST = "azcliprod.blob.core.windows.net:443"
# What the throwaway server holds: a vault, an application with every data-plane permission on it
# and one with none.
SEED = {
    "applications": [{"name": "az-app"}, {"name": "az-none"}],
    "vaults": [
        {
            "name": VAULT,
            "resourceGroup": "az-rg",
            "accessPolicies": [{"application": "az-app", "keys": ["all"], "secrets": ["all"], "certificates": ["all"]}],
        }
    ],
}


class CheckFailed(Exception):
    """A check of the run failed; the message says what was expected and what came."""


def venv_az() -> Path:
    """The az of the venv, made (or remade when requirements.txt changed) first."""
    return practice.cached_venv(VENV, HERE / "requirements.txt", "az-cli").parent / "az"


class RecordingProxy:
    """An HTTP proxy on 127.0.0.1 that answers every request 403 and records its target
    (`CONNECT host:port` for HTTPS, the absolute URL for plain HTTP)."""

    def __init__(self) -> None:
        self.targets: list[str] = []
        self._lock = threading.Lock()
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._socket.bind(("127.0.0.1", 0))
        self._socket.listen(16)
        self.url = f"http://127.0.0.1:{self._socket.getsockname()[1]}"
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                connection, _ = self._socket.accept()
            except OSError:
                return
            with connection:
                connection.settimeout(5)
                head = b""
                try:
                    while b"\r\n\r\n" not in head and len(head) < 65536:
                        chunk = connection.recv(4096)
                        if not chunk:
                            break
                        head += chunk
                    request_line = head.split(b"\r\n", 1)[0].decode("latin-1")
                    parts = request_line.split(" ")
                    if len(parts) >= 2:
                        with self._lock:
                            self.targets.append(parts[1])
                    body = b"this machine is offline: the az suite's proxy refuses every request to another host\n"
                    connection.sendall(
                        b"HTTP/1.1 403 Forbidden\r\nContent-Type: text/plain\r\nConnection: close\r\n"
                        + f"Content-Length: {len(body)}\r\n\r\n".encode()
                        + body
                    )
                except OSError:
                    pass

    def take(self) -> list[str]:
        """The targets recorded since the last call."""
        with self._lock:
            taken, self.targets = self.targets, []
        return taken

    def close(self) -> None:
        self._socket.close()


class Az:
    """Runs az with one AZURE_CONFIG_DIR (one signed-in principal) and records what it asked."""

    def __init__(self, az: Path, base_env: dict, config_dir: Path, proxy: RecordingProxy) -> None:
        self.az = az
        self.proxy = proxy
        self.env = dict(base_env, AZURE_CONFIG_DIR=str(config_dir))
        # Every URL az requested, with the method, from the --debug log.
        self.requests: list[str] = []
        # Whether az has run with this config folder yet (its first run checks for a new release).
        self.first_run = True
        # Requests to other hosts that were expected, refused by the proxy, and went on without.
        self.tolerated: list[str] = []

    def run(self, *words: str, expect_success: bool = True, allowed_elsewhere: tuple = ()) -> subprocess.CompletedProcess:
        """Runs `az <words> --debug`; checks its exit code and that it reached no other host
        than the allowed ones."""
        done = subprocess.run([str(self.az), *words, "--debug"], env=self.env, capture_output=True, text=True, timeout=300)
        # az's --debug log repeats its arguments: a client secret must not reach a message.
        for i, word in enumerate(words[1:], start=1):
            if words[i - 1] == "--password":
                done.stderr = done.stderr.replace(word, "***")
        self.requests.extend(requested_urls(done.stderr))
        elsewhere = self.proxy.take()
        if self.first_run:
            self.first_run = False
            if VERSION_CHECK_HOST in elsewhere:
                elsewhere.remove(VERSION_CHECK_HOST)
                self.tolerated.append(f"{VERSION_CHECK_HOST} (az's release check on the first command of a new config folder)")
        unexpected = [target for target in elsewhere if target not in allowed_elsewhere]
        if unexpected:
            raise CheckFailed(
                f"`az {shown(words)}` tried to reach {', '.join(unexpected)} (refused by the recording proxy: offline);"
                f" paths from az's log: {', '.join(offline_paths(done.stderr)) or 'none logged'}"
            )
        if expect_success and done.returncode != 0:
            raise CheckFailed(f"`az {shown(words)}` exited {done.returncode}: {last_error(done.stderr)}")
        if not expect_success and done.returncode == 0:
            raise CheckFailed(f"`az {shown(words)}` succeeded, but it must fail")
        done.elsewhere = elsewhere
        return done

    def json(self, *words: str):
        done = self.run(*words, "-o", "json")
        try:
            return json.loads(done.stdout) if done.stdout.strip() else None
        except json.JSONDecodeError as error:
            raise CheckFailed(f"`az {shown(words)}` did not print JSON ({error}): {done.stdout[:500]}") from error


def shown(words) -> str:
    """An az command line as a message may show it: a client secret after `--password` hidden."""
    hidden = ["***" if i > 0 and words[i - 1] == "--password" else word for i, word in enumerate(words)]
    return " ".join(hidden)


def requested_urls(debug_log: str) -> list[str]:
    """`METHOD URL` of every request in an az --debug log (its SDK pipeline and MSAL's urllib3)."""
    urls = []
    for match in re.finditer(r'connectionpool: (https?://[^ ]+) "([A-Z]+) ([^ ]+) HTTP/', debug_log):
        urls.append(f"{match.group(2)} {match.group(1)}{match.group(3)}")
    return urls


def offline_paths(debug_log: str) -> list[str]:
    """The host and path of every request that could not leave the machine, from urllib3's
    `Max retries exceeded with url` lines."""
    found = re.findall(r"HTTPSConnectionPool\(host='([^']+)', port=(\d+)\): Max retries exceeded with url: (\S+)", debug_log)
    return sorted({f"https://{host}:{port}{path}" for host, port, path in found})


def last_error(stderr: str) -> str:
    """az's error as it printed it: each `ERROR:` line with the lines that continue it (the
    --debug log's own lines left out)."""
    blocks: list[str] = []
    for line in stderr.splitlines():
        if line.startswith("ERROR:"):
            blocks.append(line)
        elif blocks and line.strip() and not line.startswith(("DEBUG:", "INFO:", "WARNING:")):
            blocks[-1] += " " + line.strip()
    return " | ".join(blocks[-2:]) if blocks else stderr[-800:]


def expect(condition: bool, message: str) -> None:
    if not condition:
        raise CheckFailed(message)


def openssl(*words: str, stdin: bytes = b"") -> subprocess.CompletedProcess:
    return subprocess.run(["openssl", *words], input=stdin, capture_output=True)


def main() -> int:
    sys.stdout.reconfigure(line_buffering=True)
    binary, _ = practice.binary_and_args(sys.argv[1:])
    if not practice.localhost_resolves(f"{VAULT}.localhost", "az-cli"):
        return 1
    az = venv_az()
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="vaultmort-az-cli-") as scratch:
        scratch = Path(scratch)
        seed = scratch / "seed.json"
        seed.write_text(json.dumps(SEED))
        # The throwaway home goes into the scratch folder too, so nothing outlives the run.
        env = {k: v for k, v in os.environ.items() if not k.startswith("VAULTMORT_")}
        env["TMPDIR"] = str(scratch)
        server, info = practice.start_server(binary, ["--ephemeral", "--seed", str(seed), "--port", "0"], env, "az-cli")
        if server is None:
            return 1
        ca = Path(info["caFile"])
        credentials = info["applications"]
        app, none = ({"appId": credentials[name]["clientId"], "password": credentials[name]["clientSecret"]} for name in ("az-app", "az-none"))
        proxy = RecordingProxy()
        try:
            az_env = {k: v for k, v in os.environ.items() if not k.startswith(("VAULTMORT_", "AZURE_")) and k.lower() not in PROXY_VARIABLES}
            az_env.update(
                AZURE_CORE_COLLECT_TELEMETRY="false",
                AZURE_CORE_SURVEY_MESSAGE="false",
                AZURE_CORE_NO_COLOR="true",
                AZURE_CORE_ONLY_SHOW_ERRORS="true",
                AZURE_EXTENSION_USE_DYNAMIC_INSTALL="no",
                REQUESTS_CA_BUNDLE=str(ca),
                SSL_CERT_FILE=str(ca),
                NO_PROXY="localhost,.localhost,127.0.0.1",
                no_proxy="localhost,.localhost,127.0.0.1",
                HTTPS_PROXY=proxy.url,
                https_proxy=proxy.url,
                HTTP_PROXY=proxy.url,
                http_proxy=proxy.url,
            )
            suite = Suite(az, az_env, scratch, proxy, info, app, none)
            return suite.run_all(started)
        finally:
            proxy.close()
            practice.stop_server(server)


PROXY_VARIABLES = {"http_proxy", "https_proxy", "all_proxy", "no_proxy"}


class Suite:
    """The checks, in order; each depends on the ones before it."""

    def __init__(self, az: Path, env: dict, scratch: Path, proxy: RecordingProxy, info: dict, app: dict, none: dict) -> None:
        self.scratch = scratch
        self.port = info["port"]
        self.tenant = info["tenantId"]
        self.authority = f"https://localhost:{self.port}"
        self.vault_url = f"https://{VAULT}.localhost:{self.port}"
        self.app = app
        self.none = none
        self.az = Az(az, env, scratch / "az-app", proxy)
        self.az_none = Az(az, env, scratch / "az-none", proxy)
        self.passed = 0
        self.failed = 0
        self.offline_findings: list[str] = []
        # Where the server's answer differs from Key Vault's in a way az tolerates.
        self.differences: list[str] = []

    def run_all(self, started: float) -> int:
        checks = [
            self.register_cloud,
            self.instance_discovery_needs_microsoft,
            self.login,
            self.secrets,
            self.keys_sign_and_verify,
            self.certificates,
            self.forbidden_for_an_application_without_permissions,
        ]
        for check in checks:
            name = check.__name__.replace("_", " ")
            try:
                check()
            except CheckFailed as failure:
                self.failed += 1
                print(f"az-cli: FAILED {name}: {failure}", file=sys.stderr)
                # Later checks need the earlier ones (a cloud, a login): stop here.
                break
            except subprocess.TimeoutExpired as timeout:
                self.failed += 1
                print(f"az-cli: FAILED {name}: {timeout}", file=sys.stderr)
                break
            self.passed += 1
            print(f"az-cli: ok {name}")
        requests = sorted({re.sub(r"/[0-9a-f]{32}(?=[/?])", "/{version}", r) for r in self.az.requests + self.az_none.requests})
        print("az-cli: requests az made (versions as {version}):")
        for request in requests:
            print(f"    {request}")
        for finding in self.offline_findings:
            print(f"az-cli: cannot be satisfied offline: {finding}")
        for difference in self.differences:
            print(f"az-cli: differs from Key Vault (az accepts it): {difference}")
        for tolerated in sorted(set(self.az.tolerated + self.az_none.tolerated)):
            print(f"az-cli: refused offline, and az went on without it: {tolerated}")
        print(f"az-cli: ran in {time.monotonic() - started:.0f} s")
        print(f"{self.passed} passed, {self.failed} failed")
        return 1 if self.failed else 0

    def register_cloud(self) -> None:
        """As for Azure Stack Hub: az reads the rest from the server's
        `/metadata/endpoints`. The second application's cloud is registered with every endpoint
        given and discovery skipped, the other way az documents."""
        self.az.run("cloud", "register", "--name", CLOUD, "--endpoint-resource-manager", f"{self.authority}/")
        self.az_none.run(
            "cloud", "register", "--name", CLOUD,
            "--endpoint-active-directory", self.authority,
            "--endpoint-resource-manager", f"{self.authority}/",
            "--endpoint-active-directory-resource-id", MANAGEMENT_RESOURCE,
            "--suffix-keyvault-dns", f".localhost:{self.port}",
            "--skip-endpoint-discovery",
        )
        for az in (self.az, self.az_none):
            az.run("cloud", "set", "--name", CLOUD)
            cloud = az.json("cloud", "show")
            expect(cloud["isActive"] and cloud["name"] == CLOUD, f"the Vaultmort cloud is active: {cloud}")
            endpoints, suffixes = cloud["endpoints"], cloud["suffixes"]
            expect(endpoints["activeDirectory"] == self.authority, f"the authority is the practice one: {endpoints}")
            expect(endpoints["activeDirectoryResourceId"] == MANAGEMENT_RESOURCE, f"tokens for the management resource: {endpoints}")
            expect(endpoints["resourceManager"] == f"{self.authority}/", f"Resource Manager is the server: {endpoints}")
            expect(suffixes["keyvaultDns"] == f".localhost:{self.port}", f"a suffix may carry the port: {suffixes}")
        discovered = [r for r in self.az.requests if "/metadata/endpoints" in r]
        expect(
            len(discovered) == 1 and discovered[0].startswith(f"GET {self.authority}/"),
            f"az read the server's metadata document once: {discovered}",
        )

    def instance_discovery_needs_microsoft(self) -> None:
        """With az's default (instance discovery on), MSAL asks login.microsoftonline.com whether
        the authority is known before it asks the authority anything: that request cannot be
        answered offline. Shown here, then switched off as az documents for Azure Stack."""
        done = self.az_none.run(*self.login_words(self.none), expect_success=False, allowed_elsewhere=(INSTANCE_DISCOVERY_HOST,))
        expect(
            set(done.elsewhere) == {INSTANCE_DISCOVERY_HOST},
            f"az login with instance discovery on asks {INSTANCE_DISCOVERY_HOST} first; it asked {done.elsewhere or 'no other host'}",
        )
        paths = offline_paths(done.stderr)
        expect(
            any("/common/discovery/instance" in path for path in paths),
            f"the request is MSAL's instance discovery: {paths}",
        )
        self.offline_findings.append(
            f"MSAL instance discovery, {paths[0]} (az's default core.instance_discovery=true);"
            " `az config set core.instance_discovery=false` switches it off"
        )
        for az in (self.az, self.az_none):
            az.run("config", "set", "core.instance_discovery=false")

    def login_words(self, principal: dict) -> list:
        return [
            "login", "--service-principal", "--username", principal["appId"], "--password", principal["password"],
            "--tenant", self.tenant, "--allow-no-subscriptions", "-o", "json",
        ]

    def login(self) -> None:
        for az, principal in ((self.az, self.app), (self.az_none, self.none)):
            done = az.run(*self.login_words(principal))
            accounts = json.loads(done.stdout)
            expect(len(accounts) == 1, f"one account (the tenant, as the application holds no role): {accounts}")
            account = accounts[0]
            expect(account["tenantId"] == self.tenant, f"the practice tenant: {account}")
            expect(account["user"] == {"name": principal["appId"], "type": "servicePrincipal"}, f"signed in as the application: {account}")
            expect(account["cloudName"] == CLOUD, f"in the Vaultmort cloud: {account}")
        asked = [r for r in self.az.requests if "/subscriptions?" in r]
        expect(asked and asked[0].startswith(f"GET {self.authority}/subscriptions?api-version="), f"az login listed subscriptions on the server: {asked}")
        shown = self.az.json("account", "show")
        expect(shown["tenantId"] == self.tenant and shown["user"]["name"] == self.app["appId"], f"az account show: {shown}")

    def secrets(self) -> None:
        value = "az cli secret value"
        created = self.az.json("keyvault", "secret", "set", "--vault-name", VAULT, "--name", "az-secret", "--value", value)
        expect(created["value"] == value, f"secret set returns the value: {created}")
        expect(created["id"].startswith(f"{self.vault_url}/secrets/az-secret/"), f"an id on the vault's URL: {created['id']}")
        shown = self.az.json("keyvault", "secret", "show", "--vault-name", VAULT, "--name", "az-secret")
        expect((shown["value"], shown["id"]) == (value, created["id"]), f"secret show returns the version just set: {shown}")
        listed = self.az.json("keyvault", "secret", "list", "--vault-name", VAULT)
        ids = [item["id"] for item in listed]
        base_id = f"{self.vault_url}/secrets/az-secret"
        # Key Vault lists a secret by its base identifier, without a version ("Get Secrets" in the
        # REST reference); az shows whatever the server sends.
        expect(base_id in ids, f"secret list names it by its base id {base_id}, as Key Vault does: {ids}")
        expect(all("value" not in item for item in listed), "secret list carries no values")

    def keys_sign_and_verify(self) -> None:
        key = self.az.json("keyvault", "key", "create", "--vault-name", VAULT, "--name", "az-key", "--kty", "RSA", "--size", "2048")
        expect(key["key"]["kty"] == "RSA", f"an RSA key: {key['key']}")
        expect(key["key"]["kid"].startswith(f"{self.vault_url}/keys/az-key/"), f"a kid on the vault's URL: {key['key']['kid']}")
        message = b"signed by the real az against Vaultmort"
        digest = base64.b64encode(hashlib.sha256(message).digest()).decode()
        signed = self.az.json("keyvault", "key", "sign", "--vault-name", VAULT, "--name", "az-key", "--algorithm", "RS256", "--digest", digest)
        expect(signed["keyId"] == key["key"]["kid"], f"signed with the key just made: {signed}")
        signature = signed["signature"]
        verified = self.az.json(
            "keyvault", "key", "verify", "--vault-name", VAULT, "--name", "az-key",
            "--algorithm", "RS256", "--digest", digest, "--signature", signature,
        )
        expect(verified["isValid"] is True, f"the vault verifies its own signature: {verified}")
        other = base64.b64encode(hashlib.sha256(b"another message").digest()).decode()
        refused = self.az.json(
            "keyvault", "key", "verify", "--vault-name", VAULT, "--name", "az-key",
            "--algorithm", "RS256", "--digest", other, "--signature", signature,
        )
        expect(refused["isValid"] is False, f"the signature does not verify another digest: {refused}")
        public = self.scratch / "az-key.pem"
        self.az.run("keyvault", "key", "download", "--vault-name", VAULT, "--name", "az-key", "--encoding", "PEM", "--file", str(public))
        (self.scratch / "message").write_bytes(message)
        (self.scratch / "signature").write_bytes(base64.b64decode(signature))
        checked = openssl("dgst", "-sha256", "-verify", str(public), "-signature", str(self.scratch / "signature"), str(self.scratch / "message"))
        expect(checked.returncode == 0 and b"Verified OK" in checked.stdout, f"openssl verifies the signature: {checked.stdout!r} {checked.stderr!r}")

    def certificates(self) -> None:
        policy = self.az.json("keyvault", "certificate", "get-default-policy")
        expect(policy["issuerParameters"]["name"] == "Self", f"az's default policy is self-signed: {policy['issuerParameters']}")
        policy_file = self.scratch / "policy.json"
        policy_file.write_text(json.dumps(policy))
        created = self.az.json("keyvault", "certificate", "create", "--vault-name", VAULT, "--name", "az-cert", "--policy", f"@{policy_file}")
        expect(created["status"] == "completed", f"a self-signed certificate completes at once: {created}")
        shown = self.az.json("keyvault", "certificate", "show", "--vault-name", VAULT, "--name", "az-cert")
        expect(shown["id"] == created["target"], f"certificate show returns the version created: {shown['id']} vs {created['target']}")
        subject = policy["x509CertificateProperties"]["subject"]
        expect(shown["policy"]["x509CertificateProperties"]["subject"] == subject, f"the policy's subject {subject}: {shown['policy']}")
        version = shown["id"].rsplit("/", 1)[1]
        expect(shown["kid"] == f"{self.vault_url}/keys/az-cert/{version}", f"the key of the same version: {shown['kid']}")
        expect(shown["sid"] == f"{self.vault_url}/secrets/az-cert/{version}", f"the secret of the same version: {shown['sid']}")
        pem = self.scratch / "az-cert.pem"
        self.az.run("keyvault", "certificate", "download", "--vault-name", VAULT, "--name", "az-cert", "--encoding", "PEM", "--file", str(pem))
        read = openssl("x509", "-in", str(pem), "-noout", "-subject", "-fingerprint", "-sha1")
        expect(read.returncode == 0, f"openssl reads the downloaded certificate: {read.stderr!r}")
        text = read.stdout.decode()
        expect(subject.replace("CN=", "CN = ") in text, f"its subject is the policy's {subject}: {text}")
        fingerprint = text.split("Fingerprint=")[-1].strip().replace(":", "")
        expect(fingerprint == shown["x509ThumbprintHex"], f"its SHA-1 is the thumbprint az showed: {fingerprint} vs {shown['x509ThumbprintHex']}")

    def forbidden_for_an_application_without_permissions(self) -> None:
        done = self.az_none.run("keyvault", "secret", "show", "--vault-name", VAULT, "--name", "az-secret", expect_success=False)
        message = last_error(done.stderr)
        expect("(Forbidden)" in message, f"az shows the server's Forbidden code: {message}")
        expect("does not have secrets get permission" in message and "az-none" in message, f"and its message, naming the application: {message}")


if __name__ == "__main__":
    sys.exit(main())
