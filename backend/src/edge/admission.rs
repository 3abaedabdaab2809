//! Who may open a connection: a global cap, a per-address cap, and room
//! for real players when the server is full.
//!
//! Every socket of every door (TCP game, HTTP and WebSocket, palindrome)
//! is counted from before it is accepted ([`Gate::socket_slot`]: the open
//! files it needs are there, so `accept` never fails for want of them)
//! until it closes, and admitted
//! through an [`Admission`] held by its task (for a WebSocket, by both the
//! HTTP connection and the upgraded socket). When the global cap is reached,
//! the oldest connection that has not sent a name yet (a game connection,
//! told why) or not finished its first HTTP request head (closed) is
//! evicted, so a newcomer gets in at once instead of waiting for the
//! five-minute name deadline of silent connections or the header deadline
//! of half-sent requests.

use std::collections::{BTreeMap, HashMap};
use std::net::IpAddr;
use std::sync::Arc;

use parking_lot::{Mutex, MutexGuard};
use std::time::Duration;

use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio_util::sync::CancellationToken;

use crate::edge::files::{FileBudget, OPERATOR_LANE};
use crate::support::ids::ConnId;

/// How long a newcomer waits for an evicted connection's slot.
const EVICTION_WAIT: Duration = Duration::from_secs(2);

/// Why a connection was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// The server holds its maximum of connections.
    Full,
    /// This address holds its maximum of connections.
    TooManyFromAddress,
}

impl Refusal {
    /// How the refusal is counted in the metrics.
    pub fn reason(self) -> crate::support::metrics::DropReason {
        match self {
            Refusal::Full => crate::support::metrics::DropReason::full,
            Refusal::TooManyFromAddress => crate::support::metrics::DropReason::per_address,
        }
    }

    /// What to tell the refused client.
    pub fn message(self) -> &'static str {
        match self {
            Refusal::Full => "the server is full; try again later",
            Refusal::TooManyFromAddress => {
                "too many connections from your address; close some and try again"
            }
        }
    }
}

/// A socket's share of the open files, taken before it is accepted.
#[derive(Debug)]
pub struct SocketSlot {
    /// Held while the socket is open.
    _permit: OwnedSemaphorePermit,
}

/// A refused connection: why, and its socket's slot (held until the socket
/// closes, once it is told why).
#[derive(Debug)]
pub struct Refused {
    /// Why.
    pub refusal: Refusal,
    /// The socket's slot.
    socket: SocketSlot,
}

impl Refused {
    /// The socket's slot.
    pub fn into_socket(self) -> SocketSlot {
        self.socket
    }
}

/// A connection served while the server is full because it may ask only
/// for `/healthz` or `/metrics` (held until it closes).
#[derive(Debug)]
pub struct OperatorPass {
    /// The lane's slot.
    _lane: OwnedSemaphorePermit,
    /// The socket's slot.
    _socket: SocketSlot,
}

/// A counted connection; dropping it frees its slots.
#[derive(Debug)]
pub struct Admission {
    /// The socket's slot.
    _socket: SocketSlot,
    /// The global slot.
    _permit: OwnedSemaphorePermit,
    /// The peer's address, to free its per-address slot.
    ip: IpAddr,
    /// The per-address counts to decrement.
    gate: Arc<Gate>,
}

impl Drop for Admission {
    fn drop(&mut self) {
        self.gate.release_ip(self.ip);
    }
}

/// The connection limits of one server.
#[derive(Debug)]
pub struct Gate {
    /// Sockets open at once, admitted or not ([`FileBudget::sockets`]).
    sockets: Arc<Semaphore>,
    /// Operators' connections served while the server is full.
    operators: Arc<Semaphore>,
    /// Global slots ([`crate::edge::limits::Limits::max_connections`]).
    slots: Arc<Semaphore>,
    /// Connections per address at most.
    max_per_ip: usize,
    /// Open connections per address.
    per_ip: Mutex<HashMap<IpAddr, usize>>,
    /// Game connections that have not named themselves, oldest first, with
    /// the token that evicts each.
    unnamed: Mutex<BTreeMap<ConnId, CancellationToken>>,
}

impl Gate {
    /// A gate for `max_connections` in all and `max_per_ip` per address
    /// (and the sockets beside them, [`FileBudget::for_connections`]).
    pub fn new(max_connections: usize, max_per_ip: usize) -> Arc<Self> {
        let budget = FileBudget::for_connections(max_connections);
        Arc::new(Self {
            sockets: Arc::new(Semaphore::new(budget.sockets)),
            operators: Arc::new(Semaphore::new(OPERATOR_LANE)),
            slots: Arc::new(Semaphore::new(budget.connections)),
            max_per_ip: max_per_ip.max(1),
            per_ip: Mutex::default(),
            unnamed: Mutex::default(),
        })
    }

    fn per_ip(&self) -> MutexGuard<'_, HashMap<IpAddr, usize>> {
        self.per_ip.lock()
    }

    /// Gives back one of `ip`'s slots.
    fn release_ip(&self, ip: IpAddr) {
        let mut per_ip = self.per_ip();
        if let Some(count) = per_ip.get_mut(&ip) {
            *count -= 1;
            if *count == 0 {
                per_ip.remove(&ip);
            }
        }
    }

    fn unnamed(&self) -> MutexGuard<'_, BTreeMap<ConnId, CancellationToken>> {
        self.unnamed.lock()
    }

    /// Waits until a socket may be accepted (its open file is there).
    pub async fn socket_slot(&self) -> SocketSlot {
        let permit = self.sockets.clone().acquire_owned().await;
        SocketSlot {
            _permit: permit.expect("the socket semaphore is never closed"),
        }
    }

    /// A pass for an operator's request while the server is full, or the
    /// socket's slot back if the lane is full too.
    ///
    /// # Errors
    ///
    /// The slot, if the lane has no room.
    pub fn operator_pass(&self, socket: SocketSlot) -> Result<OperatorPass, SocketSlot> {
        match self.operators.clone().try_acquire_owned() {
            Ok(lane) => Ok(OperatorPass {
                _lane: lane,
                _socket: socket,
            }),
            Err(_) => Err(socket),
        }
    }

    /// Admits the connection of `socket`, from `ip`, evicting the oldest
    /// silent game connection if the server is full.
    ///
    /// # Errors
    ///
    /// Returns [`Refused`] if the address or the server is at its limit and
    /// no slot could be freed.
    pub async fn admit(
        self: &Arc<Self>,
        ip: IpAddr,
        socket: SocketSlot,
    ) -> Result<Admission, Refused> {
        match self.take_slots(ip).await {
            Ok((undo, permit)) => Ok(undo.into_admission(socket, permit)),
            Err(refusal) => Err(Refused { refusal, socket }),
        }
    }

    /// Takes `ip`'s slot and a global one.
    async fn take_slots(
        self: &Arc<Self>,
        ip: IpAddr,
    ) -> Result<(ReleaseIp, OwnedSemaphorePermit), Refusal> {
        {
            let mut per_ip = self.per_ip();
            let count = per_ip.entry(ip).or_default();
            if *count >= self.max_per_ip {
                return Err(Refusal::TooManyFromAddress);
            }
            *count += 1;
        }
        // From here the per-address slot is taken; an Admission (or the
        // guard below) gives it back.
        let undo = ReleaseIp(Some((ip, self.clone())));
        let permit = match self.slots.clone().try_acquire_owned() {
            Ok(permit) => permit,
            Err(_) => {
                let oldest = self.unnamed().pop_first();
                let Some((conn, evict)) = oldest else {
                    return Err(Refusal::Full);
                };
                tracing::info!(
                    %conn,
                    "server full: evicting a connection without a name or a request"
                );
                evict.cancel();
                match tokio::time::timeout(EVICTION_WAIT, self.slots.clone().acquire_owned()).await
                {
                    Ok(Ok(permit)) => permit,
                    _ => return Err(Refusal::Full),
                }
            }
        };
        Ok((undo, permit))
    }

    /// Registers a connection that may make room (a game connection that
    /// has not sent a name, an HTTP connection before its first request
    /// head); the token is cancelled if it must.
    pub fn register_unnamed(&self, conn: ConnId) -> CancellationToken {
        let token = CancellationToken::new();
        self.unnamed().insert(conn, token.clone());
        token
    }

    /// The connection named itself (or closed): it is no longer evictable.
    pub fn forget_unnamed(&self, conn: ConnId) {
        self.unnamed().remove(&conn);
    }

    /// Free global slots (for tests and logs).
    pub fn available(&self) -> usize {
        self.slots.available_permits()
    }
}

/// Gives a per-address slot back unless it became an [`Admission`].
struct ReleaseIp(Option<(IpAddr, Arc<Gate>)>);

impl ReleaseIp {
    fn into_admission(mut self, socket: SocketSlot, permit: OwnedSemaphorePermit) -> Admission {
        let (ip, gate) = self.0.take().expect("taken once");
        Admission {
            _socket: socket,
            _permit: permit,
            ip,
            gate,
        }
    }
}

impl Drop for ReleaseIp {
    fn drop(&mut self) {
        if let Some((ip, gate)) = self.0.take() {
            gate.release_ip(ip);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOME: IpAddr = IpAddr::V4(std::net::Ipv4Addr::LOCALHOST);
    const AWAY: IpAddr = IpAddr::V4(std::net::Ipv4Addr::new(10, 0, 0, 7));

    #[tokio::test]
    async fn an_address_gets_at_most_its_share_and_slots_come_back() {
        let gate = Gate::new(10, 2);
        let a = gate.admit(HOME, gate.socket_slot().await).await.unwrap();
        let _b = gate.admit(HOME, gate.socket_slot().await).await.unwrap();
        assert_eq!(
            gate.admit(HOME, gate.socket_slot().await)
                .await
                .err()
                .map(|refused| refused.refusal),
            Some(Refusal::TooManyFromAddress)
        );
        assert!(
            gate.admit(AWAY, gate.socket_slot().await).await.is_ok(),
            "others still get in"
        );
        drop(a);
        let _c = gate.admit(HOME, gate.socket_slot().await).await.unwrap();
        assert_eq!(
            gate.available(),
            10 - 2,
            "dropped admissions freed their slots"
        );
    }

    #[tokio::test]
    async fn at_the_cap_the_oldest_silent_connection_makes_room() {
        let gate = Gate::new(2, 10);
        let first = gate.admit(HOME, gate.socket_slot().await).await.unwrap();
        let second = gate.admit(HOME, gate.socket_slot().await).await.unwrap();
        assert_eq!(
            gate.admit(AWAY, gate.socket_slot().await)
                .await
                .err()
                .map(|refused| refused.refusal),
            Some(Refusal::Full),
            "nobody to evict"
        );
        let ids = crate::support::ids::ConnIds::new(crate::support::ids::NodeId(1));
        let evicted_first = gate.register_unnamed(ids.next());
        let evicted_second = gate.register_unnamed(ids.next());
        // The evicted connection's task sees its token and closes.
        let closer = tokio::spawn(async move {
            evicted_first.cancelled().await;
            drop(first);
        });
        let newcomer = gate.admit(AWAY, gate.socket_slot().await).await;
        assert!(newcomer.is_ok());
        closer.await.unwrap();
        assert!(!evicted_second.is_cancelled(), "only the oldest goes");
        drop(second);
    }
}
