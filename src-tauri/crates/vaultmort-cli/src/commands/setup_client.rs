//! `vaultmort setup-client`: prints, performs (`--apply`) or undoes (`--remove`) what a machine
//! needs to be a client of `vaultmort serve`. The plan and every step are
//! `vaultmort_rest::client_setup`'s, shared with the desktop app; this module only turns flags
//! into a request and the outcome into output: the plan or report as JSON on stdout, the same
//! as text for people on stderr.
//!
//! Exit status: 0 when every step is done, unchanged, skipped or left for root; 1 with
//! `ClientSetupIncomplete` when a step failed, and with `NeedsRoot` when nothing could be done
//! because every step run needs root.

use serde_json::{Value, json};
use vaultmort_core::{RequestContext, Vaultmort};
use vaultmort_rest::client_setup::{self, SetupRequest, StepSelection, StepStatus, SystemPaths};

use crate::CliError;
use crate::args::SetupClientArgs;

/// Runs `setup-client`.
pub async fn run(core: &Vaultmort, ctx: &RequestContext, args: SetupClientArgs) -> Result<Value, CliError> {
    let cwd = std::env::current_dir().map_err(|e| CliError::file(std::path::Path::new("."), e))?;
    let client_dir = match args.client_dir {
        Some(dir) => cwd.join(dir),
        None => vaultmort_home::default_home()?.join(client_setup::CLIENT_DIR),
    };
    // Removing needs no application (the .env file is known by its first line), so one deleted
    // since the apply does not stand in the way.
    let application = if args.remove { None } else { args.application };
    let request = SetupRequest { port: args.port, application, client_dir, env_file: cwd.join(args.env_file), names: args.names };
    let paths = SystemPaths::from_env();
    let plan = client_setup::plan(core, ctx, &paths, &request).await?;
    let blocks = client_setup::plan_blocks(&plan);
    let (mode, reports) = if args.apply {
        ("apply", client_setup::apply(core, ctx, &paths, &plan, StepSelection::ALL).await)
    } else if args.remove {
        ("remove", client_setup::remove(&paths, &plan, StepSelection::ALL))
    } else {
        eprint!("{}", client_setup::plan_text(&plan));
        eprintln!("\nNothing was changed: `vaultmort setup-client --apply` performs this plan (the system parts as root).");
        return Ok(json!({ "mode": "plan", "plan": plan, "blocks": blocks }));
    };
    let text = client_setup::report_text(&reports);
    if reports.iter().any(|r| matches!(r.status, StepStatus::Failed { .. })) {
        return Err(CliError { code: "ClientSetupIncomplete".into(), message: format!("not every step of the {mode} succeeded:\n{text}") });
    }
    let run = reports.iter().filter(|r| !matches!(r.status, StepStatus::Skipped { .. })).count();
    let needs_root = reports.iter().filter(|r| r.status == StepStatus::NeedsRoot).count();
    if run > 0 && needs_root == run {
        return Err(CliError {
            code: "NeedsRoot".into(),
            message: format!(
                "nothing could be done without root:\n{text}run it again with sudo, or the commands of the plan's blocks as root"
            ),
        });
    }
    eprint!("{text}");
    if needs_root > 0 {
        eprintln!("The steps that need root were left: run the plan's blocks for them with sudo (`vaultmort setup-client` prints them).");
    }
    Ok(json!({ "mode": mode, "plan": plan, "steps": reports }))
}
