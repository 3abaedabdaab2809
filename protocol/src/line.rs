//! A sans-IO line splitter with a hard maximum line length.
//!
//! The transports push whatever bytes arrived into a [`LineDecoder`] and then
//! pull complete lines out of it. "Not enough data yet" is `None`, not an
//! error. Lines end in `\n`; a `\r` before it is dropped, so `\r\n` clients
//! (telnet, Windows `nc`) work too.
//!
//! # Errors
//!
//! - A line that is not valid UTF-8 yields [`LineError::InvalidUtf8`]; the
//!   decoder carries on with the next line.
//! - A line longer than the maximum (or a partial line that has already grown
//!   past it) yields [`LineError::TooLong`]; this is final, because the peer
//!   is not speaking the protocol and the rest of its stream cannot be framed.
//! - More complete lines waiting at once than the decoder's backlog bound
//!   ([`LineDecoder::with_backlog`]) yields [`LineError::Backlog`]; this is
//!   final too. A transport reads no further while lines wait, so the
//!   bound is on what one read (or one message) brought.

use thiserror::Error;

/// Why a line could not be decoded.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum LineError {
    /// The line is not valid UTF-8.
    #[error("the line is not valid UTF-8 text")]
    InvalidUtf8,
    /// The line is longer than the limit.
    #[error("the line is longer than {max} bytes")]
    TooLong {
        /// The limit that was exceeded, in bytes.
        max: usize,
    },
    /// More lines arrived at once than may wait to be served.
    #[error("more than {max} lines were sent at once")]
    Backlog {
        /// The most lines that may wait.
        max: usize,
    },
    /// More bytes wait unread than a client may send ahead of its lines
    /// being served (a transport that can tell, such as TCP).
    #[error("more than {max} bytes were sent ahead of the command rate")]
    Ahead {
        /// The most bytes that may wait.
        max: usize,
    },
}

/// Splits a byte stream into lines of at most `max_len` bytes.
#[derive(Debug)]
pub struct LineDecoder {
    /// Bytes received but not yet returned as a line.
    buffer: Vec<u8>,
    /// How far `buffer` has already been searched for `\n`, so a slow
    /// trickle of bytes is not rescanned from the start each time.
    scanned: usize,
    /// The longest line accepted, without its line ending.
    max_len: usize,
    /// Complete lines in `buffer`, not yet returned.
    waiting: usize,
    /// The most complete lines that may wait at once.
    max_waiting: usize,
    /// Set once a line was too long or too many waited: the stream can no
    /// longer be served.
    failed: bool,
}

impl LineDecoder {
    /// A decoder that accepts lines of at most `max_len` bytes.
    pub fn new(max_len: usize) -> Self {
        Self::with_backlog(max_len, usize::MAX)
    }

    /// A decoder that accepts lines of at most `max_len` bytes, and at most
    /// `max_waiting` complete lines waiting at once.
    pub fn with_backlog(max_len: usize, max_waiting: usize) -> Self {
        Self {
            buffer: Vec::new(),
            scanned: 0,
            max_len,
            waiting: 0,
            max_waiting,
            failed: false,
        }
    }

    /// Appends bytes read from the peer.
    pub fn push(&mut self, bytes: &[u8]) {
        if !self.failed {
            self.buffer.extend_from_slice(bytes);
            self.waiting += bytes.iter().filter(|&&byte| byte == b'\n').count();
        }
    }

    /// Complete lines waiting to be returned.
    pub fn waiting(&self) -> usize {
        self.waiting
    }

    /// Returns the next complete line, `None` if more bytes are needed.
    pub fn next_line(&mut self) -> Option<Result<String, LineError>> {
        if self.failed {
            return None;
        }
        if self.waiting > self.max_waiting {
            let max = self.max_waiting;
            return Some(Err(self.fail(LineError::Backlog { max })));
        }
        let newline = self.buffer[self.scanned..]
            .iter()
            .position(|&b| b == b'\n')
            .map(|offset| self.scanned + offset);
        let Some(end) = newline else {
            self.scanned = self.buffer.len();
            // Allow one byte of slack for a '\r' that may precede the '\n'.
            if self.buffer.len() > self.max_len + 1 {
                return Some(Err(self.fail_too_long()));
            }
            return None;
        };
        let mut line: Vec<u8> = self.buffer.drain(..=end).collect();
        self.scanned = 0;
        self.waiting -= 1;
        if self.buffer.is_empty() {
            // Nothing is pending: hold no memory while the peer is idle.
            self.buffer = Vec::new();
        }
        line.pop();
        if line.last() == Some(&b'\r') {
            line.pop();
        }
        if line.len() > self.max_len {
            return Some(Err(self.fail_too_long()));
        }
        Some(String::from_utf8(line).map_err(|_| LineError::InvalidUtf8))
    }

    /// Bytes of an unfinished line still held (for an end-of-stream check).
    pub fn pending(&self) -> usize {
        self.buffer.len()
    }

    fn fail_too_long(&mut self) -> LineError {
        let max = self.max_len;
        self.fail(LineError::TooLong { max })
    }

    /// Stops the decoder for good with `error`.
    fn fail(&mut self, error: LineError) -> LineError {
        self.failed = true;
        self.buffer = Vec::new();
        self.waiting = 0;
        error
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn drain(decoder: &mut LineDecoder) -> Vec<Result<String, LineError>> {
        std::iter::from_fn(|| decoder.next_line()).collect()
    }

    #[test]
    fn splits_lines_and_accepts_crlf() {
        let mut decoder = LineDecoder::new(100);
        decoder.push(b"alice\r\n/letter a\n/wo");
        assert_eq!(
            drain(&mut decoder),
            vec![Ok("alice".into()), Ok("/letter a".into())]
        );
        decoder.push(b"rd apple\n");
        assert_eq!(drain(&mut decoder), vec![Ok("/word apple".into())]);
    }

    #[test]
    fn unicode_split_across_pushes_is_reassembled() {
        let bytes = "ґанок\n".as_bytes();
        let mut decoder = LineDecoder::new(100);
        for byte in bytes {
            decoder.push(std::slice::from_ref(byte));
        }
        assert_eq!(drain(&mut decoder), vec![Ok("ґанок".into())]);
    }

    #[test]
    fn invalid_utf8_is_reported_and_the_next_line_still_decodes() {
        let mut decoder = LineDecoder::new(100);
        decoder.push(b"\xff\xfe\n/letter a\n");
        assert_eq!(
            drain(&mut decoder),
            vec![Err(LineError::InvalidUtf8), Ok("/letter a".into())]
        );
    }

    #[test]
    fn overlong_line_without_newline_fails_before_it_ends() {
        let mut decoder = LineDecoder::new(8);
        decoder.push(b"0123456789");
        assert_eq!(
            drain(&mut decoder),
            vec![Err(LineError::TooLong { max: 8 })]
        );
        decoder.push(b"\nok\n");
        assert_eq!(drain(&mut decoder), vec![], "a failed decoder stays failed");
    }

    #[test]
    fn lines_waiting_within_the_backlog_are_served_and_more_is_final() {
        let mut decoder = LineDecoder::with_backlog(100, 3);
        decoder.push(b"/help\n/help\n/help\n/he");
        assert_eq!(decoder.waiting(), 3);
        assert_eq!(drain(&mut decoder).len(), 3, "three may wait");
        decoder.push(b"lp\n/who\n/who\n/who\n");
        assert_eq!(
            drain(&mut decoder),
            vec![Err(LineError::Backlog { max: 3 })],
            "four waiting at once is one too many"
        );
        decoder.push(b"/who\n");
        assert_eq!(drain(&mut decoder), vec![], "a failed decoder stays failed");
    }

    #[test]
    fn line_of_exactly_max_len_is_accepted_with_crlf() {
        let mut decoder = LineDecoder::new(4);
        decoder.push(b"abcd\r\nabcde\n");
        assert_eq!(
            drain(&mut decoder),
            vec![Ok("abcd".into()), Err(LineError::TooLong { max: 4 })]
        );
    }

    proptest! {
        #[test]
        fn arbitrary_bytes_never_panic_and_stay_bounded(
            chunks in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..64), 0..32)
        ) {
            let mut decoder = LineDecoder::new(16);
            for chunk in &chunks {
                decoder.push(chunk);
                while let Some(line) = decoder.next_line() {
                    if let Ok(line) = line {
                        prop_assert!(line.len() <= 16);
                        prop_assert!(!line.contains('\n'));
                    }
                }
                prop_assert!(decoder.pending() <= 16 + 1 + 64);
                prop_assert_eq!(decoder.waiting(), 0, "every complete line was taken");
            }
        }

        #[test]
        fn lines_survive_any_chunking(lines in proptest::collection::vec("[^\r\n]{0,20}", 0..10), cut in 0usize..200) {
            let joined: String = lines.iter().map(|l| format!("{l}\n")).collect();
            let bytes = joined.as_bytes();
            let cut = cut.min(bytes.len());
            let mut decoder = LineDecoder::new(1000);
            decoder.push(&bytes[..cut]);
            let mut got = drain(&mut decoder);
            decoder.push(&bytes[cut..]);
            got.extend(drain(&mut decoder));
            let want: Vec<Result<String, LineError>> = lines.into_iter().map(Ok).collect();
            prop_assert_eq!(got, want);
        }
    }
}
