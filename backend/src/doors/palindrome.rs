//! The lecture's palindrome service: for each line, `1` if it is a
//! palindrome, an empty line if not.
//!
//! # Format
//!
//! ```text
//! > А роза упала на лапу Азора
//! 1
//! > hello
//! (empty line)
//! ```
//!
//! # Errors
//!
//! A line that is not UTF-8 is answered with an `error: ...` line (which is
//! not `1`, so a seed client reads it as "not a palindrome"); an over-long
//! line gets an `error: ...` line and the connection closes.

use std::net::SocketAddr;
use std::sync::Arc;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use wordguess_protocol::{palindrome, LineDecoder, LineError};

use crate::edge::admission::Admission;
use crate::session::ServerContext;

/// Answers one client's lines until it disconnects.
pub async fn serve_client(
    stream: TcpStream,
    addr: SocketAddr,
    context: Arc<ServerContext>,
    admission: Admission,
) {
    let _counted = admission;
    tracing::debug!(%addr, "palindrome client connected");
    let _ = stream.set_nodelay(true);
    let (mut reader, mut writer) = stream.into_split();
    let mut decoder = LineDecoder::new(context.limits.max_line_bytes);
    // Read into spare capacity, as the game door does: idle clients cost no
    // touched buffer pages.
    let mut buffer = Vec::with_capacity(4096);
    let mut answers = String::new();
    loop {
        let read = tokio::select! {
            read = reader.read_buf(&mut buffer) => read,
            () = context.shutdown.cancelled() => break,
        };
        let Ok(1..) = read else { break };
        decoder.push(&buffer);
        buffer.clear();
        answers.clear();
        let mut close = false;
        while let Some(line) = decoder.next_line() {
            match line {
                Ok(line) => answers.push_str(palindrome::answer(&line)),
                Err(error @ LineError::InvalidUtf8) => answers.push_str(&format!("error: {error}")),
                Err(
                    error @ (LineError::TooLong { .. }
                    | LineError::Backlog { .. }
                    | LineError::Ahead { .. }),
                ) => {
                    answers.push_str(&format!("error: {error}; closing the connection"));
                    close = true;
                }
            }
            answers.push('\n');
        }
        let write = tokio::time::timeout(
            context.limits.write_timeout,
            writer.write_all(answers.as_bytes()),
        );
        if !matches!(write.await, Ok(Ok(()))) || close {
            break;
        }
    }
    let _ = writer.shutdown().await;
}
