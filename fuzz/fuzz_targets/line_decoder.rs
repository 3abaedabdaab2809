//! Arbitrary bytes, pushed in arbitrary chunks into a `LineDecoder`, with
//! the lines pulled out at arbitrary moments.
//!
//! Checks the decoder against its documented contract (protocol/src/line.rs)
//! by comparing it with a whole-stream reference model:
//! - it never panics;
//! - every line is at most `max` bytes and has no '\n';
//! - lines come out in stream order, split at '\n' with one '\r' before it
//!   dropped, invalid UTF-8 reported per line (and decoding carries on);
//! - a line longer than `max` (or a partial line past `max` + 1 bytes of
//!   slack for the '\r') is a `TooLong { max }`, and after it nothing more is
//!   ever returned, whatever is pushed;
//! - an unfinished line held is at most `max` + 1 bytes (after a drain).
#![no_main]

use arbitrary::Unstructured;
use libfuzzer_sys::fuzz_target;
use wordguess_protocol::{LineDecoder, LineError, MAX_LINE_BYTES};

/// What the whole stream must decode to, whatever the chunking.
fn reference(stream: &[u8], max: usize) -> Vec<Result<String, LineError>> {
    let mut out = Vec::new();
    let mut rest = stream;
    while let Some(end) = rest.iter().position(|&b| b == b'\n') {
        let mut line = &rest[..end];
        rest = &rest[end + 1..];
        if line.last() == Some(&b'\r') {
            line = &line[..line.len() - 1];
        }
        if line.len() > max {
            out.push(Err(LineError::TooLong { max }));
            return out;
        }
        out.push(String::from_utf8(line.to_vec()).map_err(|_| LineError::InvalidUtf8));
    }
    if rest.len() > max + 1 {
        out.push(Err(LineError::TooLong { max }));
    }
    out
}

fn drain(decoder: &mut LineDecoder, max: usize, got: &mut Vec<Result<String, LineError>>) {
    // A bound on the pulls, so a decoder that returned the same thing
    // forever would be reported instead of hanging.
    for _ in 0..100_000 {
        let Some(line) = decoder.next_line() else {
            return;
        };
        if got
            .last()
            .is_some_and(|previous| matches!(previous, Err(LineError::TooLong { .. })))
        {
            panic!("the decoder returned {line:?} after TooLong");
        }
        match &line {
            Ok(text) => {
                assert!(
                    text.len() <= max,
                    "a line of {} bytes > max {max}",
                    text.len()
                );
                assert!(!text.contains('\n'), "a line holds '\\n': {text:?}");
            }
            Err(LineError::TooLong { max: reported }) => assert_eq!(*reported, max),
            Err(LineError::InvalidUtf8) => {}
            Err(LineError::Backlog { .. } | LineError::Ahead { .. }) => {
                panic!("a decoder without a backlog bound reported a backlog")
            }
        }
        got.push(line);
    }
    panic!("next_line never returned None");
}

fuzz_target!(|data: &[u8]| {
    let mut u = Unstructured::new(data);
    // Mostly the server's limit; sometimes a tiny one to reach the edges.
    let max = match u.int_in_range(0u8..=3).unwrap_or(0) {
        0 | 1 => MAX_LINE_BYTES,
        _ => usize::from(u.int_in_range(0u8..=16).unwrap_or(4)),
    };
    let mut decoder = LineDecoder::new(max);
    let mut stream = Vec::new();
    let mut got = Vec::new();
    while !u.is_empty() {
        // Chunks of 0..=2047 bytes, or a run of one repeated byte (cheap
        // over-long lines without a long input).
        let chunk: Vec<u8> = if u.ratio(1u8, 8u8).unwrap_or(false) {
            let byte = u.arbitrary::<u8>().unwrap_or(b'x');
            let len = usize::from(u.arbitrary::<u16>().unwrap_or(0) % 4096);
            vec![byte; len]
        } else {
            let len = usize::from(u.arbitrary::<u16>().unwrap_or(0) % 2048);
            u.bytes(len.min(u.len())).unwrap_or_default().to_vec()
        };
        decoder.push(&chunk);
        stream.extend_from_slice(&chunk);
        if u.ratio(3u8, 4u8).unwrap_or(true) {
            drain(&mut decoder, max, &mut got);
            let failed = matches!(got.last(), Some(Err(LineError::TooLong { .. })));
            if failed {
                assert_eq!(decoder.pending(), 0, "a failed decoder holds bytes");
            } else {
                assert!(
                    decoder.pending() <= max + 1,
                    "{} bytes of an unfinished line held after a drain (max {max})",
                    decoder.pending()
                );
            }
        }
    }
    drain(&mut decoder, max, &mut got);
    assert_eq!(
        got,
        reference(&stream, max),
        "chunked decoding differs from the whole stream"
    );
});
