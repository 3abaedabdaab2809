//! A cluster node's room reports on their way to Redis (resume tokens
//! issued and revoked, quick-match seats freed, gatherings over), merged
//! per room while they wait, and the one task that writes them.
//!
//! A room reports without waiting, and Redis may be slow or away for a
//! while: what waits is not a queue of every report but, per room and
//! reporter, what writing them would change (each token's last state, the
//! count of freed seats, whether the gathering is over). It is bounded by
//! what the rooms hold, however long Redis is away, and needs no task per
//! report. Order across rooms never mattered; within a room the merge
//! gives what writing every report in order would.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use parking_lot::Mutex;
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;
use wordguess_protocol::RoomCode;

use crate::cluster::link::is_unavailable;
use crate::cluster::{keys, Owner, RedisLink};
use crate::room::messages::RoomReport;
use crate::support::backoff::Backoff;

/// Applies a room's reports, fenced like its saves: only while the room is
/// its reporter's (or gone, for the last clean-up, which names no token
/// again; an empty token is a session freeing a quick-match seat, from any
/// node). KEYS: the room, the
/// quick hash. ARGV: the reporter's owner token, the code, then operations:
/// `set TOKEN-KEY`, `del TOKEN-KEY`, `freed` (a quick-match seat is free
/// again), `over` (the room takes no more players).
const REPORT: &str = r"
local owner = redis.call('HGET', KEYS[1], 'owner')
if ARGV[1] ~= '' and owner and owner ~= ARGV[1] then return 0 end
local i = 3
while i <= #ARGV do
  local op = ARGV[i]
  if op == 'set' then
    if owner then redis.call('SET', ARGV[i + 1], ARGV[2]) end
    i = i + 2
  elseif op == 'del' then
    redis.call('DEL', ARGV[i + 1])
    i = i + 2
  elseif op == 'freed' then
    if redis.call('HGET', KEYS[2], 'code') == ARGV[2] then
      local offered = tonumber(redis.call('HGET', KEYS[2], 'offered') or '0')
      if offered > 0 then redis.call('HINCRBY', KEYS[2], 'offered', -1) end
    end
    i = i + 1
  else
    if redis.call('HGET', KEYS[2], 'code') == ARGV[2] then redis.call('DEL', KEYS[2]) end
    i = i + 1
  end
end
return 1
";

/// Rooms' reports a write sends at most (one script run each).
const ROOMS_PER_WRITE: usize = 256;

/// Who reported: a room, under its owner token, or a session freeing a
/// quick-match seat (none).
type Reporter = (RoomCode, Option<Owner>);

/// What one reporter's reports not yet written would change.
#[derive(Debug, Default, PartialEq)]
struct Unwritten {
    /// Each token key touched, and whether it names the room (`true`) or
    /// is deleted.
    tokens: HashMap<String, bool>,
    /// Quick-match seats freed.
    freed: u32,
    /// The room takes no more players (its quick-match seats count no
    /// more).
    over: bool,
}

impl Unwritten {
    /// Merges `report` in; `false` if it writes nothing.
    fn merge(&mut self, report: RoomReport) -> bool {
        match report {
            RoomReport::TokenIssued(token) => {
                self.tokens.insert(keys::token(&token), true);
            }
            RoomReport::TokensRevoked(tokens) => {
                for token in tokens {
                    self.tokens.insert(keys::token(&token), false);
                }
            }
            RoomReport::QuickSeatFreed => self.freed = self.freed.saturating_add(1),
            RoomReport::GatheringOver | RoomReport::Closed => self.over = true,
            RoomReport::Saving { .. } | RoomReport::Lost { .. } => return false,
        }
        true
    }

    /// The script's operations (a seat freed in a room that gathers no
    /// more counts for nothing).
    fn ops(&self) -> Vec<String> {
        let mut ops = Vec::new();
        for (key, names_room) in &self.tokens {
            ops.push(if *names_room { "set" } else { "del" }.to_owned());
            ops.push(key.clone());
        }
        if self.over {
            ops.push("over".to_owned());
        } else {
            ops.extend((0..self.freed).map(|_| "freed".to_owned()));
        }
        ops
    }
}

/// The reports not yet written, per reporter.
#[derive(Debug, Default)]
pub struct UnwrittenReports {
    /// The reports.
    pending: Mutex<HashMap<Reporter, Unwritten>>,
    /// Wakes the writer.
    notify: Notify,
}

impl UnwrittenReports {
    /// Adds what `room` reported under `owner` (none for a session).
    pub fn add(&self, room: &RoomCode, owner: Option<Owner>, report: RoomReport) {
        let mut pending = self.pending.lock();
        let mut merged = Unwritten::default();
        let reporter = (room.clone(), owner);
        let writes = match pending.get_mut(&reporter) {
            Some(unwritten) => unwritten.merge(report),
            None => {
                let writes = merged.merge(report);
                if writes {
                    pending.insert(reporter, merged);
                }
                writes
            }
        };
        drop(pending);
        if writes {
            self.notify.notify_one();
        }
    }

    /// Takes everything not yet written.
    fn take(&self) -> HashMap<Reporter, Unwritten> {
        std::mem::take(&mut *self.pending.lock())
    }
}

/// Writes the rooms' reports as they come, until `shutdown` (then what is
/// left, once).
pub async fn write(
    link: Arc<RedisLink>,
    reports: Arc<UnwrittenReports>,
    shutdown: CancellationToken,
) {
    loop {
        let last = tokio::select! {
            biased;
            () = reports.notify.notified() => false,
            () = shutdown.cancelled() => true,
        };
        let taken: Vec<_> = reports.take().into_iter().collect();
        for chunk in taken.chunks(ROOMS_PER_WRITE) {
            let mut pipeline = redis::pipe();
            for ((room, owner), unwritten) in chunk {
                pipeline
                    .cmd("EVAL")
                    .arg(REPORT)
                    .arg(2)
                    .arg(keys::room(room.as_str()))
                    .arg(keys::QUICK)
                    .arg(owner.map(|owner| owner.to_string()).unwrap_or_default())
                    .arg(room.as_str())
                    .arg(unwritten.ops())
                    .ignore();
            }
            // Set and delete are safe to repeat; a freed seat counted twice
            // after a lost reply only offers one seat less.
            let mut backoff = Backoff::new(Duration::from_millis(50), Duration::from_secs(1));
            while let Err(error) = link.pipeline::<()>(&pipeline).await {
                if !is_unavailable(&error) {
                    // Refused for good (a key of the wrong type, say):
                    // retrying would hold every other room's reports.
                    tracing::error!(%error, "Redis refused rooms' reports; they are dropped");
                    break;
                }
                tracing::warn!(%error, "cannot write rooms' reports to Redis; trying again");
                tokio::select! {
                    () = shutdown.cancelled() => return,
                    () = tokio::time::sleep(backoff.next_wait()) => {}
                }
            }
        }
        if last {
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wordguess_protocol::ResumeToken;

    fn code() -> RoomCode {
        RoomCode::parse("H2W2S2").expect("a code")
    }

    #[test]
    fn reports_merge_into_what_writing_them_in_order_would_change() {
        let reports = UnwrittenReports::default();
        let owner = Some(Owner {
            node: crate::support::ids::NodeId(1),
            epoch: 3,
        });
        let (kept, gone) = (ResumeToken::from_bits(1), ResumeToken::from_bits(2));
        reports.add(&code(), owner, RoomReport::TokenIssued(kept.clone()));
        reports.add(&code(), owner, RoomReport::TokenIssued(gone.clone()));
        reports.add(
            &code(),
            owner,
            RoomReport::TokensRevoked(vec![gone.clone()]),
        );
        reports.add(&code(), owner, RoomReport::Saving { works: false });
        reports.add(&code(), None, RoomReport::QuickSeatFreed);
        reports.add(&code(), None, RoomReport::QuickSeatFreed);
        let taken = reports.take();
        assert_eq!(taken.len(), 2, "the room's, and the sessions'");
        let mut ops = taken[&(code(), owner)].ops();
        ops.sort();
        let mut expected = [
            "del".to_owned(),
            keys::token(&gone),
            "set".to_owned(),
            keys::token(&kept),
        ];
        expected.sort();
        assert_eq!(ops, expected);
        assert_eq!(taken[&(code(), None)].ops(), ["freed", "freed"]);
        assert!(reports.take().is_empty(), "taken once");
    }

    #[tokio::test]
    async fn a_late_report_of_a_deleted_room_names_no_token_again_but_still_cleans_up() {
        let redis = crate::cluster::test_redis::RedisServer::start("reports");
        let metrics = Arc::new(crate::support::metrics::Metrics::for_cluster());
        let node = crate::support::ids::NodeId(1);
        let link = RedisLink::connect(&redis.url(), node, "n1".to_owned(), metrics)
            .await
            .expect("Redis answers");
        let owner = Some(Owner { node, epoch: 4 });
        let (late, old) = (ResumeToken::from_bits(1), ResumeToken::from_bits(2));
        let mut setup = redis::cmd("SET");
        setup.arg(keys::token(&old)).arg(code().as_str());
        link.query::<()>(&setup).await.expect("set");
        // The room is gone from Redis (deleted once closed); a zombie's
        // reports come late.
        let reports = Arc::new(UnwrittenReports::default());
        reports.add(&code(), owner, RoomReport::TokenIssued(late.clone()));
        reports.add(&code(), owner, RoomReport::TokensRevoked(vec![old.clone()]));
        let shutdown = CancellationToken::new();
        shutdown.cancel();
        write(link.clone(), reports, shutdown).await;
        for token in [late, old] {
            let exists: bool = link
                .query(redis::cmd("EXISTS").arg(keys::token(&token)))
                .await
                .expect("read");
            assert!(!exists, "{token}");
        }
    }

    #[test]
    fn however_many_reports_wait_they_hold_what_the_room_holds() {
        let reports = UnwrittenReports::default();
        let token = ResumeToken::from_bits(9);
        for _ in 0..100_000 {
            reports.add(&code(), None, RoomReport::TokenIssued(token.clone()));
            reports.add(
                &code(),
                None,
                RoomReport::TokensRevoked(vec![token.clone()]),
            );
            reports.add(&code(), None, RoomReport::QuickSeatFreed);
        }
        reports.add(&code(), None, RoomReport::GatheringOver);
        let taken = reports.take();
        assert_eq!(
            taken[&(code(), None)].ops(),
            ["del".to_owned(), keys::token(&token), "over".to_owned()],
            "one token's last state; freed seats of a room that gathers no more count for nothing"
        );
    }
}
