//! Rooms: where games are played.
//!
//! - [`messages`]: what crosses a room's boundary (inputs from sessions,
//!   reports to the directory), as plain data naming connections by id;
//! - [`core`]: a room's logic as a pure state machine (`handle(input, now)`
//!   returns effects, `poll_timeout` says when to wake it);
//! - [`actor`]: the task that owns one room's core and carries out its
//!   effects through the seams (delivery, store, directory);
//! - [`saved`]: a room as it is written down and read back.
//!
//! A room reaches the rest of the server only through its seams and the
//! metrics, and reports to the room directory by events: it never calls
//! into the directory or a session.

pub mod actor;
pub mod core;
pub mod messages;
pub mod saved;

pub use self::core::{MOST_LOGGED, SAVE_WHOLE_WITHIN};
pub use actor::RoomStart;
pub use messages::{Role, RoomCommand, RoomDefaults, RoomInput, RoomKind, RoomReport};
