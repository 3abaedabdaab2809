//! The network edge, below every door: listening sockets ([`listen`]), who
//! may connect ([`admission`]) and how many files that may take
//! ([`files`]), a connection's bounded outbound queue
//! ([`outbox`]) and the bounds that keep one client from hurting the others
//! ([`limits`]). Nothing here knows rooms or the game.

pub mod admission;
pub mod files;
pub mod limits;
pub mod listen;
pub mod outbox;
