//! `cargo xtask bench`: the core's throughput beside openssl's on the same machine.
//!
//! Runs `openssl speed` for RSA-2048 and ECDSA P-256 signing, then the criterion benchmark of
//! the core (`vaultmort-home/benches/core_ops.rs`: RSA-2048 sign, ES256 sign, secret get through
//! the whole request pipeline) and the HSM benchmark (`hsm_ops.rs`: RSA-2048 sign of an HSM key
//! through the core beside a raw PKCS#11 loop on the same SoftHSM2 token). The figures go to the
//! terminal; docs/benchmarks.md records a run.

use crate::error::Result;
use crate::process::{self, Project};
use crate::setup;

/// Runs both benchmarks one after the other.
pub fn run(project: &Project, filter: &[String]) -> Result<()> {
    setup::system_packages(project)?;
    process::run("openssl speed", project.command("openssl").args(["speed", "-seconds", "5", "rsa2048", "ecdsap256"]))?;
    let mut bench = project.cargo();
    bench.args(["bench", "--package", "vaultmort-home", "--bench", "core_ops", "--"]).args(filter);
    process::run("criterion", &mut bench)?;
    let mut hsm = project.cargo();
    hsm.args(["bench", "--package", "vaultmort-home", "--bench", "hsm_ops", "--"]).args(filter);
    process::run("criterion (HSM)", &mut hsm)
}
