//! The node's connection to Redis: one multiplexed connection for commands
//! (concurrent commands share it and are pipelined), which reconnects by
//! itself; whether Redis answers now; and how long it takes.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use redis::{FromRedisValue, RedisResult};

use crate::support::ids::NodeId;
use crate::support::metrics::Metrics;

/// How long one command may take before it counts as failed.
const RESPONSE_TIMEOUT: Duration = Duration::from_secs(2);
/// How long connecting may take.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(1);

/// This node's link to Redis.
pub struct RedisLink {
    /// This node.
    pub node: NodeId,
    /// Its name (`--node`), for logs and operators.
    pub name: String,
    /// Where Redis is.
    client: redis::Client,
    /// The command connection.
    commands: ConnectionManager,
    /// Whether the last command got an answer.
    reachable: AtomicBool,
    /// When Redis answered again after not answering, if it ever did.
    recovered_at: parking_lot::Mutex<Option<Instant>>,
    /// When this node's lease was last renewed (or taken).
    renewed_at: parking_lot::Mutex<Option<Instant>>,
    /// Round trips and health.
    metrics: Arc<Metrics>,
}

impl std::fmt::Debug for RedisLink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisLink")
            .field("node", &self.node)
            .field("name", &self.name)
            .field("reachable", &self.is_reachable())
            .finish_non_exhaustive()
    }
}

impl RedisLink {
    /// Connects node `node`, called `name`, to Redis at `url`.
    ///
    /// # Errors
    ///
    /// A bad URL, or Redis not answering.
    pub async fn connect(
        url: &str,
        node: NodeId,
        name: String,
        metrics: Arc<Metrics>,
    ) -> RedisResult<Arc<Self>> {
        let client = redis::Client::open(url)?;
        let config = ConnectionManagerConfig::new()
            .set_response_timeout(Some(RESPONSE_TIMEOUT))
            .set_connection_timeout(Some(CONNECT_TIMEOUT))
            .set_number_of_retries(2)
            .set_min_delay(Duration::from_millis(50))
            .set_max_delay(Duration::from_millis(500));
        let commands = ConnectionManager::new_with_config(client.clone(), config).await?;
        metrics.redis_up.set(1);
        Ok(Arc::new(Self {
            node,
            name,
            client,
            commands,
            reachable: AtomicBool::new(true),
            recovered_at: parking_lot::Mutex::new(None),
            renewed_at: parking_lot::Mutex::new(None),
            metrics,
        }))
    }

    /// A new connection for subscribing (a subscribed connection runs no
    /// other commands).
    ///
    /// # Errors
    ///
    /// Redis not answering.
    pub async fn pubsub(&self) -> RedisResult<redis::aio::PubSub> {
        let pubsub = tokio::time::timeout(CONNECT_TIMEOUT, self.client.get_async_pubsub())
            .await
            .map_err(|_| {
                redis::RedisError::from(std::io::Error::from(std::io::ErrorKind::TimedOut))
            })?;
        self.noted(pubsub)
    }

    /// Whether Redis answered the last command.
    pub fn is_reachable(&self) -> bool {
        self.reachable.load(Ordering::Acquire)
    }

    /// This node's lease was renewed (or taken) now.
    pub fn note_renewal(&self) {
        *self.renewed_at.lock() = Some(Instant::now());
    }

    /// Whether this node's lease was renewed within `within`: a node that
    /// cannot keep its own lease has no business taking others' rooms.
    pub fn renewed_within(&self, within: std::time::Duration) -> bool {
        self.renewed_at
            .lock()
            .is_some_and(|at| at.elapsed() < within)
    }

    /// When Redis last answered again after a time it did not.
    pub fn recovered_at(&self) -> Option<Instant> {
        *self.recovered_at.lock()
    }

    /// Runs a command.
    ///
    /// # Errors
    ///
    /// What Redis or the connection reported.
    pub async fn query<T: FromRedisValue>(&self, command: &redis::Cmd) -> RedisResult<T> {
        let mut connection = self.commands.clone();
        let started = Instant::now();
        let result = command.query_async(&mut connection).await;
        self.timed(started, result)
    }

    /// Runs a pipeline.
    ///
    /// # Errors
    ///
    /// What Redis or the connection reported.
    pub async fn pipeline<T: FromRedisValue>(&self, pipeline: &redis::Pipeline) -> RedisResult<T> {
        let mut connection = self.commands.clone();
        let started = Instant::now();
        let result = pipeline.query_async(&mut connection).await;
        self.timed(started, result)
    }

    /// Runs a Lua script (loading it first if Redis lost it, after a
    /// restart).
    ///
    /// # Errors
    ///
    /// What Redis or the connection reported.
    pub async fn script<T: FromRedisValue>(
        &self,
        invocation: &redis::ScriptInvocation<'_>,
    ) -> RedisResult<T> {
        let mut connection = self.commands.clone();
        let started = Instant::now();
        let result = invocation.invoke_async(&mut connection).await;
        self.timed(started, result)
    }

    /// Publishes `payload` on `channel`; how many subscribers got it.
    ///
    /// # Errors
    ///
    /// What Redis or the connection reported.
    pub async fn publish(&self, channel: &str, payload: &[u8]) -> RedisResult<usize> {
        self.query(redis::cmd("PUBLISH").arg(channel).arg(payload))
            .await
    }

    /// Notes a command's round trip and whether Redis answered.
    fn timed<T>(&self, started: Instant, result: RedisResult<T>) -> RedisResult<T> {
        self.metrics
            .redis_round_trip
            .observe(started.elapsed().as_secs_f64());
        self.noted(result)
    }

    /// Runs `command`, trying again while Redis is unavailable (see
    /// [`is_unavailable`]), for `patience` at most.
    ///
    /// # Errors
    ///
    /// The last error, once patience runs out or if it is not one a wait
    /// can help.
    pub async fn query_patiently<T: FromRedisValue>(
        &self,
        command: &redis::Cmd,
        patience: Duration,
    ) -> RedisResult<T> {
        let started = Instant::now();
        let mut backoff = crate::support::backoff::Backoff::new(
            Duration::from_millis(25),
            Duration::from_millis(500),
        );
        loop {
            match self.query(command).await {
                Err(error) if is_unavailable(&error) && started.elapsed() < patience => {
                    tokio::time::sleep(backoff.next_wait()).await;
                }
                result => return result,
            }
        }
    }

    /// Notes whether Redis can take commands (see [`is_unavailable`]).
    fn noted<T>(&self, result: RedisResult<T>) -> RedisResult<T> {
        let answered = match &result {
            Ok(_) => true,
            Err(error) => !is_unavailable(error),
        };
        let was = self.reachable.swap(answered, Ordering::AcqRel);
        if was != answered {
            self.metrics.redis_up.set(i64::from(answered));
            if answered {
                *self.recovered_at.lock() = Some(Instant::now());
                tracing::info!(node = %self.name, "Redis answers again");
            } else {
                tracing::warn!(node = %self.name, "Redis does not answer");
            }
        }
        result
    }
}

/// Whether `error` says Redis cannot take commands now, so that waiting
/// helps: no connection, no reply in time, or a reply that it is loading
/// its data, out of memory, unable to persist, busy with a script, read
/// only, or asking to be tried again. Any other error reply is an answer:
/// the same command would fail again.
pub fn is_unavailable(error: &redis::RedisError) -> bool {
    error.is_io_error()
        || error.is_timeout()
        || error.is_connection_dropped()
        || error.is_connection_refusal()
        || matches!(
            error.retry_method(),
            redis::RetryMethod::WaitAndRetry
                | redis::RetryMethod::Reconnect
                | redis::RetryMethod::RetryImmediately
                | redis::RetryMethod::RefreshSlotsAndRetry
        )
        || matches!(
            error.code(),
            Some("LOADING" | "OOM" | "MISCONF" | "BUSY" | "READONLY" | "MASTERDOWN" | "TRYAGAIN")
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reply(text: &str) -> redis::RedisError {
        redis::parse_redis_value(format!("-{text}\r\n").as_bytes())
            .and_then(redis::Value::extract_error)
            .expect_err("an error reply")
    }

    #[test]
    fn a_redis_that_loads_or_is_full_is_unavailable_and_a_refused_command_is_an_answer() {
        for waits in [
            "LOADING Redis is loading the dataset in memory",
            "OOM command not allowed when used memory > 'maxmemory'",
            "MISCONF Redis is configured to save RDB snapshots, but it's currently unable to persist",
            "BUSY Redis is busy running a script",
        ] {
            assert!(is_unavailable(&reply(waits)), "{waits}");
        }
        for answers in [
            "ERR unknown command",
            "WRONGTYPE Operation against a key holding the wrong kind of value",
            "NOPERM this user has no permissions",
        ] {
            assert!(!is_unavailable(&reply(answers)), "{answers}");
        }
    }
}
