//! Messages between nodes, on Redis pub/sub: each node listens on its own
//! two channels (events for its connections, inputs for its rooms) and on
//! the one every node hears. Publishing is [`RedisLink::publish`]; this
//! module keeps the node subscribed, through Redis restarts, and hands
//! what arrives to the layers above ([`Inbound`]).
//!
//! Pub/sub keeps nothing: what is published while a node is not
//! subscribed is lost. That is why nothing durable travels here (moves
//! are saved in Redis before anyone hears of them), and why a node that
//! subscribes again tells the layers above ([`Inbound::resubscribed`]):
//! its sessions enter their rooms again and get the whole picture.

use std::sync::Arc;
use std::time::Duration;

use futures_util::StreamExt;
use tokio::sync::oneshot;
use tokio_util::sync::CancellationToken;

use super::keys;
use super::link::RedisLink;
use crate::support::backoff::Backoff;

/// What a node does with what it hears.
pub trait Inbound: Send + Sync {
    /// Events for connections of this node.
    fn deliver(&self, payload: &[u8]);
    /// An input for a room of this node.
    fn room_input(&self, payload: &[u8]);
    /// News for every node.
    fn news(&self, payload: &[u8]);
    /// The node subscribed again after losing Redis: what was published
    /// meanwhile is lost.
    fn resubscribed(&self);
}

/// The first wait before subscribing again, and the longest.
const FIRST_WAIT: Duration = Duration::from_millis(50);
/// The longest wait before subscribing again.
const LONGEST_WAIT: Duration = Duration::from_secs(1);
/// A subscription that held this long starts the waits afresh.
const HELD_WELL: Duration = Duration::from_secs(10);

/// Keeps this node subscribed until `shutdown`, handing messages to
/// `inbound`; `subscribed` is told once the first subscription holds.
pub async fn listen(
    link: Arc<RedisLink>,
    inbound: Arc<dyn Inbound>,
    shutdown: CancellationToken,
    subscribed: oneshot::Sender<()>,
) {
    let deliver = keys::deliver_channel(link.node);
    let rooms = keys::rooms_channel(link.node);
    let mut subscribed = Some(subscribed);
    let mut backoff = Backoff::new(FIRST_WAIT, LONGEST_WAIT);
    loop {
        let attempt = async {
            let mut pubsub = link.pubsub().await?;
            pubsub.subscribe(&[&deliver, &rooms, keys::ALL]).await?;
            redis::RedisResult::Ok(pubsub)
        };
        let pubsub = tokio::select! {
            () = shutdown.cancelled() => return,
            pubsub = attempt => pubsub,
        };
        let pubsub = match pubsub {
            Ok(pubsub) => pubsub,
            Err(error) => {
                let wait = backoff.next_wait();
                tracing::warn!(%error, ?wait, "cannot subscribe to Redis; trying again");
                tokio::select! {
                    () = shutdown.cancelled() => return,
                    () = tokio::time::sleep(wait) => continue,
                }
            }
        };
        match subscribed.take() {
            Some(first) => {
                let _ = first.send(());
            }
            None => {
                tracing::info!("subscribed to Redis again");
                inbound.resubscribed();
            }
        }
        let held_since = std::time::Instant::now();
        let mut messages = pubsub.into_on_message();
        loop {
            let message = tokio::select! {
                () = shutdown.cancelled() => return,
                message = messages.next() => message,
            };
            let Some(message) = message else { break };
            let payload = message.get_payload_bytes();
            match message.get_channel_name() {
                name if name == deliver => inbound.deliver(payload),
                name if name == rooms => inbound.room_input(payload),
                _ => inbound.news(payload),
            }
        }
        // A subscription Redis keeps cutting (its output buffer limit, say)
        // is not taken again at once, over and over.
        if held_since.elapsed() > HELD_WELL {
            backoff = Backoff::new(FIRST_WAIT, LONGEST_WAIT);
        }
        let wait = backoff.next_wait();
        tracing::warn!(?wait, "lost the Redis subscription; subscribing again");
        tokio::select! {
            () = shutdown.cancelled() => return,
            () = tokio::time::sleep(wait) => {}
        }
    }
}
