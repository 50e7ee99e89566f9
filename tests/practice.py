"""What the Python runners under tests/ share (stdlib only): which `vaultmort` binary to test, a
virtual environment of pinned packages cached under .tools/ and remade when its requirements
change, the check that `*.localhost` names resolve through the system resolver, and starting
`vaultmort serve` until its one settings line arrives (and stopping it)."""

import hashlib
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def binary_and_args(argv: list) -> tuple:
    """The binary (`--vaultmort PATH` first, else $VAULTMORT_BIN, else the debug build), made
    absolute since tests may start it from another folder, and the remaining arguments."""
    binary = os.environ.get("VAULTMORT_BIN")
    if argv[:1] == ["--vaultmort"]:
        binary, argv = argv[1], argv[2:]
    if not binary:
        binary = str(Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target")) / "debug" / "vaultmort")
    return str(Path(binary).resolve()), argv


def cached_venv(venv: Path, requirements: Path, label: str) -> Path:
    """The python of `venv`, made first (or remade when `requirements` changed) with what it pins."""
    digest = hashlib.sha256(requirements.read_bytes()).hexdigest()
    stamp = venv / "requirements.sha256"
    python = venv / "bin" / "python"
    if python.exists() and stamp.exists() and stamp.read_text().strip() == digest:
        return python
    if venv.exists():
        shutil.rmtree(venv)
    started = time.monotonic()
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    subprocess.run([str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "-r", str(requirements)], check=True)
    stamp.write_text(digest)
    print(f"{label}: installed {requirements.name} into {venv} in {time.monotonic() - started:.0f} s")
    return python


def localhost_resolves(name: str, label: str) -> bool:
    """Whether `name` (a `*.localhost` host) resolves; if not, says how to make it."""
    try:
        socket.getaddrinfo(name, 443, type=socket.SOCK_STREAM)
        return True
    except socket.gaierror as error:
        print(
            f"{label}: {name} does not resolve on this machine ({error}). The clients use the system resolver: install "
            "libnss-myhostname (`cargo xtask setup` does), or run `vaultmort setup-client --apply` for /etc/hosts lines.",
            file=sys.stderr,
        )
        return False


def start_server(binary: str, args: list, env: dict, label: str):
    """Starts `vaultmort serve ARGS` and waits for its settings line: (process, settings), or
    (None, None) after saying why when it ends without one."""
    # Its error stream goes to an unnamed file: never a pipe nobody drains, and readable if it fails.
    errors = tempfile.TemporaryFile()
    server = subprocess.Popen([binary, "serve", *args], env=env, stdout=subprocess.PIPE, stderr=errors, text=True)
    line = server.stdout.readline() if server.stdout else ""
    if not line:
        server.wait(timeout=10)
        errors.seek(0)
        print(f"{label}: vaultmort serve did not start: {errors.read().decode(errors='replace')}", file=sys.stderr)
        return None, None
    return server, json.loads(line)


def stop_server(server) -> None:
    """Asks the server to stop (SIGTERM, which also removes a throwaway home), then insists."""
    server.terminate()
    try:
        server.wait(timeout=10)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait(timeout=10)
