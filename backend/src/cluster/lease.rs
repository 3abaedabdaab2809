//! The node's lease: a key in Redis that expires unless the node renews
//! it. A node owns its rooms while its lease lives; once it has expired,
//! any live node may take them over (`directory::cluster`), and the
//! takeover changes each room's owner token, so the old node's writes are
//! refused from then on (the fence is in the save script, in Redis).
//!
//! A node that finds its lease expired (it was paused, or Redis restarted
//! and let it lapse) takes a new one and checks which of its rooms are
//! still its own.

use std::sync::Arc;
use std::time::Duration;

use redis::Script;
use tokio_util::sync::CancellationToken;

use super::keys;
use super::link::RedisLink;

/// How long a lease lives without renewal.
pub const LEASE: Duration = Duration::from_secs(3);
/// How often it is renewed.
pub const RENEW_EVERY: Duration = Duration::from_millis(750);

/// Renews the lease (1), takes it again if it expired (0: the node must
/// check its rooms). Either way the node is listed among the nodes (a
/// reaper that found it dead a moment ago may have struck it off).
/// KEYS: the lease, the node set. ARGV: the node's name, the lease in ms,
/// the node id.
const RENEW: &str = r"
redis.call('SADD', KEYS[2], ARGV[3])
local held = redis.call('GET', KEYS[1])
if held then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return 0
";

/// How a renewal went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Renewal {
    /// The lease lives on.
    Renewed,
    /// It had expired and was taken again: some rooms may be lost.
    Lapsed,
}

/// Renews (or takes) this node's lease once.
///
/// # Errors
///
/// Redis not answering.
pub async fn renew(link: &RedisLink) -> redis::RedisResult<Renewal> {
    static SCRIPT: std::sync::LazyLock<Script> = std::sync::LazyLock::new(|| Script::new(RENEW));
    let mut invocation = SCRIPT.prepare_invoke();
    invocation
        .key(keys::alive(link.node))
        .key(keys::NODES)
        .arg(&link.name)
        .arg(u64::try_from(LEASE.as_millis()).unwrap_or(u64::MAX))
        .arg(link.node.to_string());
    let renewed: i64 = link.script(&invocation).await?;
    link.note_renewal();
    Ok(if renewed == 1 {
        Renewal::Renewed
    } else {
        Renewal::Lapsed
    })
}

/// Keeps the lease until `shutdown`, calling `lapsed` whenever it had
/// expired before it was renewed. A renewal sent a lease or more after the
/// last one that succeeded was sent counts as a lapse even if Redis found
/// the lease held: a renewal whose reply was lost may have taken it again.
pub async fn keep(
    link: Arc<RedisLink>,
    lapsed: Arc<dyn Fn() + Send + Sync>,
    shutdown: CancellationToken,
) {
    let mut tick = tokio::time::interval(RENEW_EVERY);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut last_sent = std::time::Instant::now();
    loop {
        tokio::select! {
            () = shutdown.cancelled() => return,
            _ = tick.tick() => {}
        }
        let sent = std::time::Instant::now();
        match renew(&link).await {
            Ok(renewal) => {
                let late = sent.duration_since(last_sent) >= LEASE;
                last_sent = sent;
                if renewal == Renewal::Lapsed || late {
                    tracing::warn!(node = %link.name, "this node's lease had expired; checking its rooms");
                    lapsed();
                }
            }
            Err(error) => tracing::warn!(%error, "cannot renew this node's lease"),
        }
    }
}

/// Gives the lease up (at shutdown, once the rooms have stopped), so
/// live nodes take the rooms at once rather than after it expires.
///
/// # Errors
///
/// Redis not answering.
pub async fn give_up(link: &RedisLink) -> redis::RedisResult<()> {
    link.query::<()>(redis::cmd("DEL").arg(keys::alive(link.node)))
        .await
}
