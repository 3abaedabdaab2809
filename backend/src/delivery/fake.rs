//! A fake [`Delivery`] for unit tests: connections that record what they
//! are sent, and the endpoints sessions attach, for a test to play the
//! room.

use std::collections::HashMap;
use std::sync::Arc;

use parking_lot::Mutex;
use wordguess_protocol::ServerEvent;

use super::{Delivery, Endpoint, Mailbox, Message, Route, Signal};
use crate::support::ids::ConnId;

/// Delivery to connections that only record.
#[derive(Debug, Default)]
pub struct FakeDelivery {
    /// Connections a test opened, with what they got.
    open: Mutex<HashMap<ConnId, Arc<Recorder>>>,
    /// Endpoints sessions attached.
    attached: Mutex<HashMap<ConnId, Endpoint>>,
}

/// What one fake connection was sent, in order.
#[derive(Debug, Default)]
pub struct Recorder {
    messages: Mutex<Vec<Message>>,
}

impl Mailbox for Recorder {
    fn deliver(&self, message: Message) {
        self.messages.lock().push(message);
    }
}

impl FakeDelivery {
    /// Opens connection `conn`: rooms can reach it from now on.
    pub fn open(&self, conn: ConnId) {
        self.open.lock().insert(conn, Arc::default());
    }

    /// Closes connection `conn`: rooms no longer find it.
    pub fn close(&self, conn: ConnId) {
        self.open.lock().remove(&conn);
    }

    /// Takes what `conn` was sent so far.
    pub fn take(&self, conn: ConnId) -> Vec<Message> {
        self.open
            .lock()
            .get(&conn)
            .map(|recorder| std::mem::take(&mut *recorder.messages.lock()))
            .unwrap_or_default()
    }

    /// Takes the events `conn` was sent so far (signals left out).
    pub fn events(&self, conn: ConnId) -> Vec<ServerEvent> {
        self.take(conn)
            .into_iter()
            .filter_map(|message| match message {
                Message::Event(event) => Some((*event).clone()),
                Message::Signal(_) => None,
            })
            .collect()
    }

    /// Takes the signals `conn` was sent so far.
    pub fn signals(&self, conn: ConnId) -> Vec<Signal> {
        self.take(conn)
            .into_iter()
            .filter_map(|message| match message {
                Message::Signal(signal) => Some(signal),
                Message::Event(_) => None,
            })
            .collect()
    }

    /// The endpoint a session attached for `conn`, to answer it as a room.
    pub fn endpoint(&self, conn: ConnId) -> Option<Endpoint> {
        self.attached.lock().get(&conn).cloned()
    }
}

impl Delivery for FakeDelivery {
    fn attach(&self, conn: ConnId, endpoint: Endpoint) {
        self.attached.lock().insert(conn, endpoint);
    }

    fn detach(&self, conn: ConnId) {
        self.attached.lock().remove(&conn);
    }

    fn route(&self, conn: ConnId) -> Option<Route> {
        if let Some(recorder) = self.open.lock().get(&conn) {
            return Some(recorder.clone());
        }
        let endpoint = self.attached.lock().get(&conn).cloned()?;
        Some(Arc::new(endpoint))
    }
}
