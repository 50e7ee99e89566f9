//! The docs name only commands that exist. Regression, issue 11 point 10: a doc comment named a
//! `vaultmort ad sp credential reset` that was never built.
//!
//! Every `vaultmort <words>` written as code (in backticks, or in a fenced block of Markdown) in
//! the README, in docs/, in the other READMEs and in the Rust and TypeScript sources is taken up
//! to its first flag or placeholder, and `vaultmort <words> --help` must answer.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use crate::support::TestHome;

/// Global options that take a value and may stand before the command (`vaultmort --as dev ...`).
const GLOBAL_OPTIONS_WITH_VALUE: &[&str] = &["--as", "--source-ip", "--query", "-o", "--output"];

/// The workspace root, from this crate's manifest directory (src-tauri/crates/vaultmort-cli).
fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../..").canonicalize().expect("the workspace root exists")
}

/// The files whose text names commands: Markdown docs, and sources whose comments may.
fn documents(root: &Path) -> Vec<PathBuf> {
    let mut files = vec![root.join("README.md"), root.join("tests/README.md"), root.join("ui/README.md")];
    let mut folders = vec![root.join("docs"), root.join("src-tauri"), root.join("ui/src"), root.join("xtask/src")];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(&folder).expect("a documented folder can be listed").flatten() {
            let path = entry.path();
            if path.is_dir() {
                let name = entry.file_name();
                if name != "target" && name != "node_modules" && name != "gen" {
                    folders.push(path);
                }
            } else if path.extension().is_some_and(|ext| ext == "md" || ext == "rs" || ext == "ts") {
                files.push(path);
            }
        }
    }
    // This file names a command that does not exist on purpose.
    let this_file = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cli/docs.rs");
    files.retain(|file| file.exists() && file.canonicalize().ok() != this_file.canonicalize().ok());
    files
}

/// The parts of `text` written as code: inline backtick spans, and for Markdown the lines of
/// fenced blocks.
fn code_parts(text: &str, markdown: bool) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut in_fence = false;
    for line in text.lines() {
        if markdown && line.trim_start().starts_with("```") {
            in_fence = !in_fence;
            continue;
        }
        if in_fence {
            parts.push(line);
            continue;
        }
        // Inline spans: between pairs of backticks on one line.
        parts.extend(line.split('`').skip(1).step_by(2));
    }
    parts
}

/// The command words of each `vaultmort ...` mention in `text`: after the program name (and any
/// global options), the words up to the first flag, placeholder or punctuation.
fn mentioned_commands(text: &str) -> Vec<Vec<String>> {
    let mut found = Vec::new();
    let mut rest = text;
    while let Some(at) = rest.find("vaultmort ") {
        // Only the program name: not `vaultmort-core`, not a path such as `.../vaultmort`.
        let before = rest[..at].chars().next_back();
        let start_of_word = before.is_none_or(|c| c.is_whitespace() || c == '`' || c == '(' || c == '$' || c == '"');
        rest = &rest[at + "vaultmort ".len()..];
        if !start_of_word {
            continue;
        }
        let line = rest.lines().next().unwrap_or("");
        let mut tokens = line.split_whitespace().peekable();
        let mut words = Vec::new();
        while let Some(token) = tokens.next() {
            if GLOBAL_OPTIONS_WITH_VALUE.contains(&token) && words.is_empty() {
                tokens.next();
                continue;
            }
            let word = token.trim_end_matches(['`', ',', '.', ';', ':', ')']);
            let is_word = !word.is_empty()
                && word.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
                && word.starts_with(|c: char| c.is_ascii_lowercase());
            if !is_word {
                break;
            }
            words.push(word.to_string());
            if word.len() != token.len() {
                break; // the mention ended with its punctuation
            }
        }
        if !words.is_empty() {
            found.push(words);
        }
    }
    found
}

#[test]
fn every_command_the_docs_name_exists() {
    let root = workspace_root();
    let mut commands: BTreeSet<(Vec<String>, String)> = BTreeSet::new();
    for file in documents(&root) {
        let text = std::fs::read_to_string(&file).expect("a documented file is UTF-8 text");
        let shown = file.strip_prefix(&root).unwrap_or(&file).display().to_string();
        let markdown = file.extension().is_some_and(|ext| ext == "md");
        for part in code_parts(&text, markdown) {
            for words in mentioned_commands(part) {
                commands.insert((words, shown.clone()));
            }
        }
    }
    assert!(commands.len() > 40, "the docs name many commands; finding only {} means the scan is broken", commands.len());
    let home = TestHome::new();
    let mut checked = BTreeSet::new();
    let mut missing = Vec::new();
    for (words, file) in &commands {
        if !checked.insert(words.clone()) {
            continue;
        }
        let mut args: Vec<&str> = words.iter().map(String::as_str).collect();
        args.push("--help");
        let out = home.run(&args);
        if !out.status.success() {
            missing.push(format!("`vaultmort {}` (named in {file})", words.join(" ")));
        }
    }
    assert!(missing.is_empty(), "the docs name commands that do not exist:\n{}", missing.join("\n"));
}

#[test]
fn the_scan_finds_a_command_that_does_not_exist() {
    // The scanner itself: the regression's own sentence is found, and a flag or placeholder ends
    // the words.
    let parts = code_parts("/// secrets made with `vaultmort ad sp credential reset` or the vaultmort binary", false);
    assert_eq!(parts, vec!["vaultmort ad sp credential reset"], "only the backticked part is code");
    let words = mentioned_commands(parts[0]);
    assert_eq!(words, vec![vec!["ad", "sp", "credential", "reset"]], "the words of the mention");
    let parts = code_parts("text\n```sh\nvaultmort clock shift --days 3\n```\nvaultmort prose", true);
    assert_eq!(parts, vec!["vaultmort clock shift --days 3"], "a fenced block's lines are code, prose is not");
    let words = mentioned_commands("vaultmort --as dev@x keyvault secret show --vault-name v");
    assert_eq!(words, vec![vec!["keyvault", "secret", "show"]], "global options are skipped, flags end the words");
    let words = mentioned_commands("see vaultmort-core and target/debug/vaultmort serve");
    assert!(words.is_empty(), "crate names and paths are not mentions: {words:?}");
    let home = TestHome::new();
    assert!(!home.run(&["ad", "sp", "credential", "reset", "--help"]).status.success(), "a command that does not exist fails --help");
}
