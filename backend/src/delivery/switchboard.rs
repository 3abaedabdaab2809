//! The in-process [`Delivery`]: connection id → its endpoint, for the
//! connections of this node.
//!
//! A room resolves an id here once, when the connection enters, and keeps
//! the route; the lock is held only for that lookup and for registering or
//! removing a connection, never across a room's work.

use std::collections::HashMap;
use std::sync::Arc;

use parking_lot::Mutex;

use super::{Delivery, Endpoint, Route};
use crate::support::ids::ConnId;

/// The endpoints of this process's connections.
#[derive(Debug, Default)]
pub struct Switchboard {
    /// Open connections.
    endpoints: Mutex<HashMap<ConnId, Arc<Endpoint>>>,
}

impl Delivery for Switchboard {
    fn attach(&self, conn: ConnId, endpoint: Endpoint) {
        self.endpoints.lock().insert(conn, Arc::new(endpoint));
    }

    fn detach(&self, conn: ConnId) {
        self.endpoints.lock().remove(&conn);
    }

    fn route(&self, conn: ConnId) -> Option<Route> {
        let endpoint = self.endpoints.lock().get(&conn).cloned()?;
        Some(endpoint)
    }
}

#[cfg(test)]
mod tests {
    use wordguess_protocol::ServerEvent;

    use super::*;
    use crate::delivery::{Message, Signal, SignalSlot};
    use crate::edge::outbox::Outbox;
    use crate::support::ids::{ConnIds, Door, NodeId};

    #[tokio::test]
    async fn a_routed_event_reaches_the_connection_and_a_closed_one_is_not_found() {
        let switchboard = Switchboard::default();
        let conn = ConnIds::new(NodeId(7)).next();
        let (outbox, mut events) = Outbox::new(8);
        let signals = Arc::new(SignalSlot::default());
        switchboard.attach(
            conn,
            Endpoint {
                outbox,
                signals: signals.clone(),
                door: Door::Tcp,
            },
        );
        let route = switchboard.route(conn).expect("an open connection");
        route.deliver(Message::Event(Arc::new(ServerEvent::Welcome)));
        route.deliver(Message::Signal(Signal::Replaced));
        let mut batch = Vec::new();
        assert_eq!(events.recv_many(&mut batch, 8).await, 1);
        assert_eq!(*batch[0], ServerEvent::Welcome);
        assert_eq!(signals.take(), Some(Signal::Replaced));
        switchboard.detach(conn);
        assert!(switchboard.route(conn).is_none());
        assert!(!switchboard.send(conn, Message::Signal(Signal::Replaced)));
    }
}
