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

/// Waits between attempts to subscribe again.
const BACKOFF: [Duration; 5] = [
    Duration::from_millis(50),
    Duration::from_millis(100),
    Duration::from_millis(250),
    Duration::from_millis(500),
    Duration::from_secs(1),
];

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
    let mut failures = 0usize;
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
                let wait = BACKOFF[failures.min(BACKOFF.len() - 1)];
                failures += 1;
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
        failures = 0;
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
        tracing::warn!("lost the Redis subscription; subscribing again");
    }
}
