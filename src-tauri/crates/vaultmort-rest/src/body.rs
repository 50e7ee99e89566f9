//! Request bodies: read whole, within the size limit and the time bound, with the right error
//! for each way a body can fail.
//!
//! - [`TimedBody`] wraps every request body when its head arrives: once the connection limits'
//!   body time has passed, reading it fails, so a client that sends a head and part of a body
//!   and then nothing is answered (408 `RequestTimeout`) and cut off, whoever reads the body.
//! - [`read`] collects a body up to the limit: too large is 413 `RequestBodyTooLarge`, too slow
//!   408, malformed (a broken chunked encoding) 400 `BadParameter`.
//! - A body known to be too large ([`declared_too_large`], from Content-Length) is refused
//!   before any of it is read. Either way the rest of an oversized body is drained in the
//!   background ([`drain`], at most [`DRAIN_LIMIT`] bytes and within the body time) while the
//!   413 goes out, so the client finishes sending and reads the answer instead of a reset.
//!
//! Left out: what a route does with the bytes.

use std::pin::Pin;
use std::task::{Context, Poll};

use axum::body::{Body, Bytes};
use axum::http::{HeaderMap, StatusCode, header};
use http_body_util::BodyExt;
use hyper::body::{Frame, Incoming, SizeHint};
use tokio::time::{Instant, Sleep};

use crate::error::ApiError;

/// The most bytes of an oversized body read and thrown away so the client can read the 413;
/// a body declared larger is refused without draining (and its client may see a reset).
pub const DRAIN_LIMIT: u64 = 16 * 1024 * 1024;

/// Why a request body could not be read.
#[derive(Debug, thiserror::Error)]
pub(crate) enum BodyError {
    /// The body did not arrive within the connection limits' body time.
    #[error("the request body did not arrive in time")]
    TimedOut,
    /// The connection failed or the body's framing is malformed.
    #[error("the request body could not be read: {0}")]
    Unreadable(hyper::Error),
}

/// A request body that fails once its deadline has passed.
pub(crate) struct TimedBody {
    inner: Incoming,
    deadline: Pin<Box<Sleep>>,
}

impl TimedBody {
    /// `inner`, to be read whole by `deadline`.
    pub(crate) fn new(inner: Incoming, deadline: Instant) -> Self {
        Self { inner, deadline: Box::pin(tokio::time::sleep_until(deadline)) }
    }
}

impl hyper::body::Body for TimedBody {
    type Data = Bytes;
    type Error = BodyError;

    fn poll_frame(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<Frame<Self::Data>, Self::Error>>> {
        match Pin::new(&mut self.inner).poll_frame(cx) {
            Poll::Ready(frame) => Poll::Ready(frame.map(|f| f.map_err(BodyError::Unreadable))),
            Poll::Pending => match self.deadline.as_mut().poll(cx) {
                Poll::Ready(()) => Poll::Ready(Some(Err(BodyError::TimedOut))),
                Poll::Pending => Poll::Pending,
            },
        }
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

/// The 413 for a body over `limit` bytes.
fn too_large(limit: usize) -> ApiError {
    ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, "RequestBodyTooLarge", format!("the request body is larger than {limit} bytes"))
}

/// The error for a failed read of a body.
fn read_failed(error: axum::Error) -> ApiError {
    match error.into_inner().downcast::<BodyError>().map(|e| *e) {
        Ok(BodyError::TimedOut) => ApiError::new(
            StatusCode::REQUEST_TIMEOUT,
            "RequestTimeout",
            "the request body did not arrive in time; the connection is closed",
        ),
        Ok(unreadable) => ApiError::bad(format!("{unreadable}")),
        Err(other) => ApiError::bad(format!("the request body could not be read: {other}")),
    }
}

/// Hands `body` back, or the 413 when the request's Content-Length is over `limit`, before any
/// of the body is read. The refused body is drained unless the client waits for
/// `100 Continue` (then it has sent nothing, and never will).
pub(crate) fn refuse_declared_too_large(headers: &HeaderMap, body: Body, limit: usize) -> Result<Body, ApiError> {
    let declared = headers.get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()).and_then(|v| v.trim().parse::<u64>().ok());
    if declared.is_none_or(|declared| declared <= limit as u64) {
        return Ok(body);
    }
    let expects_continue = headers.get(header::EXPECT).is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"100-continue"));
    if !expects_continue {
        drain(body, 0);
    }
    Err(too_large(limit))
}

/// Reads `body` whole. Over `limit` bytes it is 413 (and the rest is drained in the
/// background); past its deadline 408; malformed 400.
pub(crate) async fn read(mut body: Body, limit: usize) -> Result<Bytes, ApiError> {
    let mut collected = Vec::new();
    while let Some(frame) = body.frame().await {
        let frame = frame.map_err(read_failed)?;
        let Ok(data) = frame.into_data() else {
            continue; // Trailers carry nothing a route reads.
        };
        if collected.len() + data.len() > limit {
            drain(body, (collected.len() + data.len()) as u64);
            return Err(too_large(limit));
        }
        collected.extend_from_slice(&data);
    }
    Ok(Bytes::from(collected))
}

/// Reads and throws away the rest of an oversized body in the background, `already` bytes of
/// it having been read, up to [`DRAIN_LIMIT`] in all; its deadline bounds the time.
pub(crate) fn drain(mut body: Body, already: u64) {
    if hyper::body::Body::size_hint(&body).lower().saturating_add(already) > DRAIN_LIMIT {
        return; // Declared too large to drain: dropping it closes the connection's reading.
    }
    tokio::spawn(async move {
        let mut read = already;
        while let Some(Ok(frame)) = body.frame().await {
            read += frame.data_ref().map_or(0, |d| d.len() as u64);
            if read > DRAIN_LIMIT {
                return;
            }
        }
    });
}
