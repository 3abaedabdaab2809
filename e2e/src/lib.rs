//! Real-browser tests live in `tests/`; this crate has no library code.
//! `tests/browser.rs` covers quick match and connection trouble,
//! `tests/rooms.rs` private rooms (invites by code, link and `nc`, the
//! host's start, resume after a reload, spectators, chat, the countdown),
//! `tests/restart.rs` a game that goes on after the server crashes and
//! restarts, and the leaderboard; all use the helpers in
//! `tests/common/mod.rs`.
