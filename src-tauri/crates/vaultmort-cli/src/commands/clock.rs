//! `vaultmort clock ...`: the shiftable clock that every time rule reads.

use chrono::Duration;
use serde_json::{Value, json};
use vaultmort_core::{RequestContext, Vaultmort};

use crate::CliError;
use crate::args::ClockCommand;

fn describe(core: &Vaultmort) -> Value {
    let offset = core.clock().offset();
    json!({
        "now": core.clock().now().to_rfc3339(),
        "offsetSeconds": offset.num_seconds(),
        "offsetDays": offset.num_seconds() as f64 / 86_400.0,
    })
}

/// Runs a clock command.
pub async fn run(core: &Vaultmort, ctx: &RequestContext, command: ClockCommand) -> Result<Value, CliError> {
    match command {
        ClockCommand::Show => {}
        ClockCommand::Shift { days, hours } => {
            let by = Duration::try_days(days)
                .zip(Duration::try_hours(hours))
                .map(|(d, h)| d + h)
                .ok_or_else(|| CliError::from(vaultmort_core::Error::bad("the shift is too large")))?;
            core.shift_clock(ctx, by).await?;
            core.tick().await?;
        }
        ClockCommand::Reset => core.reset_clock(ctx).await?,
    }
    Ok(describe(core))
}
