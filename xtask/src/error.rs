//! The one error type of the task runner: a message for a human, printed once by `main`.

use std::fmt;

/// A task failed; the message says what failed and, where it helps, what to do about it.
#[derive(Debug)]
pub struct Error(String);

impl Error {
    /// An error with this message.
    pub fn new(message: impl Into<String>) -> Self {
        Self(message.into())
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Error {}

/// The result of a task step.
pub type Result<T> = std::result::Result<T, Error>;
