//! Prints results as az does: JSON (indented or compact), a table or TSV of the scalar fields,
//! after an optional JMESPath `--query`.

use serde_json::Value;
use vaultmort_core::Error;

use crate::args::OutputFormat;

/// Applies `--query` and renders `value` in `format`.
pub fn render(value: Value, format: OutputFormat, query: Option<&str>) -> Result<String, Error> {
    let value = match query {
        Some(expression) => apply_query(&value, expression)?,
        None => value,
    };
    if value.is_null() {
        // Like az, commands that return nothing print nothing.
        return Ok(String::new());
    }
    Ok(match format {
        OutputFormat::Json => format!("{}\n", serde_json::to_string_pretty(&value).unwrap_or_default()),
        OutputFormat::Jsonc => format!("{}\n", serde_json::to_string(&value).unwrap_or_default()),
        OutputFormat::Table => table(&value),
        OutputFormat::Tsv => tsv(&value),
        OutputFormat::None => String::new(),
    })
}

fn apply_query(value: &Value, expression: &str) -> Result<Value, Error> {
    let compiled = jmespath::compile(expression).map_err(|e| Error::bad(format!("--query '{expression}' is not valid JMESPath: {e}")))?;
    let data = jmespath::Variable::try_from(value.clone()).map_err(|e| Error::bad(format!("--query could not read the output: {e}")))?;
    let found = compiled.search(data).map_err(|e| Error::bad(format!("--query '{expression}' failed: {e}")))?;
    serde_json::to_value(&*found).map_err(|e| Error::bad(format!("--query result could not be shown: {e}")))
}

fn scalar_text(value: &Value) -> Option<String> {
    match value {
        Value::Null => Some(String::new()),
        Value::Bool(b) => Some(if *b { "True".into() } else { "False".into() }),
        Value::Number(n) => Some(n.to_string()),
        Value::String(s) => Some(s.clone()),
        _ => None,
    }
}

fn rows(value: &Value) -> Vec<Value> {
    match value {
        Value::Array(items) => items.clone(),
        Value::Null => Vec::new(),
        other => vec![other.clone()],
    }
}

/// Column name as az shows it: `resourceGroup` becomes `ResourceGroup`.
fn heading(key: &str) -> String {
    let mut chars = key.chars();
    chars.next().map(|c| c.to_uppercase().collect::<String>() + chars.as_str()).unwrap_or_default()
}

fn table(value: &Value) -> String {
    let rows = rows(value);
    let mut columns: Vec<String> = Vec::new();
    for row in &rows {
        if let Value::Object(map) = row {
            for (key, field) in map {
                if scalar_text(field).is_some() && !columns.contains(key) {
                    columns.push(key.clone());
                }
            }
        }
    }
    if columns.is_empty() {
        let values: Vec<String> = rows.iter().filter_map(scalar_text).collect();
        if values.is_empty() {
            return String::new();
        }
        columns.push("Result".into());
        return render_table(&["Result".to_string()], &values.into_iter().map(|v| vec![v]).collect::<Vec<_>>());
    }
    let cells: Vec<Vec<String>> =
        rows.iter().map(|row| columns.iter().map(|c| row.get(c).and_then(scalar_text).unwrap_or_default()).collect()).collect();
    let headings: Vec<String> = columns.iter().map(|c| heading(c)).collect();
    render_table(&headings, &cells)
}

fn render_table(headings: &[String], cells: &[Vec<String>]) -> String {
    let widths: Vec<usize> = headings
        .iter()
        .enumerate()
        .map(|(i, h)| cells.iter().map(|r| r[i].chars().count()).chain([h.chars().count()]).max().unwrap_or(0))
        .collect();
    let line = |values: &[String]| -> String {
        values.iter().zip(&widths).map(|(v, w)| format!("{v:<w$}")).collect::<Vec<_>>().join("  ").trim_end().to_string() + "\n"
    };
    let mut out = line(headings);
    out.push_str(&line(&widths.iter().map(|w| "-".repeat(*w)).collect::<Vec<_>>()));
    for row in cells {
        out.push_str(&line(row));
    }
    out
}

fn tsv(value: &Value) -> String {
    let mut out = String::new();
    for row in rows(value) {
        let fields: Vec<String> = match &row {
            Value::Object(map) => map.values().filter_map(scalar_text).collect(),
            other => scalar_text(other).into_iter().collect(),
        };
        out.push_str(&fields.join("\t"));
        out.push('\n');
    }
    out
}
