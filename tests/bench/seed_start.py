#!/usr/bin/env python3
"""Start-to-ready time of a seeded throwaway server: `vaultmort serve --ephemeral --seed FILE --port 0`.

One run is: spawn the process, wait for its settings line on stdout (the server answers from that
moment on), note the time, then stop it with SIGTERM and check that its throwaway home is gone.
The time from just before the spawn to the end of the settings line is the figure; stopping is
not counted. The seed has 10 objects: six secrets, an EC P-256 key, an RSA-2048 key, one
self-signed certificate (RSA 2048, Key Vault's default policy) and one application, in one vault
(its resource group made for it) with an access policy for the application.

Stdlib only:

    cargo build --workspace --offline --release --bin vaultmort
    python3 tests/bench/seed_start.py [--vaultmort target/release/vaultmort] [--runs 30] [--no-seed]

It prints min, median and max in milliseconds, and each run's figure with --verbose.
"""

import argparse
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent

SEED_10 = """
applications: [{name: ci-app}]
vaults:
  - name: bench-vault
    resourceGroup: bench-rg
    secrets:
      - {name: s1, value: "one"}
      - {name: s2, value: "two"}
      - {name: s3, value: "three"}
      - {name: s4, value: "four"}
      - {name: s5, value: "five"}
      - {name: s6, value: "six"}
    keys:
      - {name: ec-key, kty: EC, curve: P-256}
      - {name: rsa-key, kty: RSA, size: 2048}
    certificates:
      - {name: site, subject: "CN=site.example", issuer: Self}
    accessPolicies:
      - {application: ci-app, secrets: [get, list], keys: [get, sign], certificates: [get]}
"""


def one_run(binary: str, seed: Path | None, tmpdir: Path) -> float:
    env = {k: v for k, v in os.environ.items() if not k.startswith("VAULTMORT_")}
    env["TMPDIR"] = str(tmpdir)
    command = [binary, "serve", "--ephemeral", "--port", "0"]
    if seed is not None:
        command += ["--seed", str(seed)]
    started = time.perf_counter()
    server = subprocess.Popen(command, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    try:
        line = server.stdout.readline() if server.stdout else b""
        ready = time.perf_counter()
        if not line.startswith(b"{"):
            raise RuntimeError(f"no settings line (exit {server.poll()}): {line!r}")
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    left = [p.name for p in tmpdir.iterdir() if p.name.startswith("vaultmort-ephemeral-")]
    if left:
        raise RuntimeError(f"throwaway homes left behind: {left}")
    return (ready - started) * 1000


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--vaultmort", default=str(Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target")) / "release" / "vaultmort"))
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--no-seed", action="store_true", help="measure an empty throwaway server instead")
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="vaultmort-bench-seed-") as scratch:
        scratch = Path(scratch)
        tmpdir = scratch / "tmp"
        tmpdir.mkdir()
        seed = None
        if not args.no_seed:
            seed = scratch / "seed.yaml"
            seed.write_text(SEED_10)
        for _ in range(args.warmup):
            one_run(args.vaultmort, seed, tmpdir)
        figures = [one_run(args.vaultmort, seed, tmpdir) for _ in range(args.runs)]
    if args.verbose:
        print(" ".join(f"{f:.0f}" for f in figures))
    what = "empty throwaway server" if args.no_seed else "seed of 10 objects"
    print(
        f"start to ready, {what}, {len(figures)} runs: "
        f"min {min(figures):.0f} ms, median {statistics.median(figures):.0f} ms, max {max(figures):.0f} ms"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
