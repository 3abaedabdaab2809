//! The connection to the game server as a Yew hook.
//!
//! [`use_game`] owns the [`GameState`] reducer and one WebSocket at a time,
//! opened with the JSON subprotocol so every frame is a typed event. Moves go
//! out as the protocol's command lines through a channel drained by a
//! writer task; dropping the channel's sender closes the socket.

use std::cell::RefCell;
use std::rc::Rc;

use futures::channel::mpsc;
use futures::{SinkExt, StreamExt};
use gloo_net::websocket::{futures::WebSocket, Message, WebSocketError};
use wasm_bindgen_futures::spawn_local;
use wordguess_protocol::{ClientCommand, ServerEvent, JSON_SUBPROTOCOL};
use yew::prelude::*;

use crate::state::{Action, GameState};

/// What components get from [`use_game`].
#[derive(Clone, PartialEq)]
pub struct GameHandle {
    /// The current state.
    pub state: UseReducerHandle<GameState>,
    /// Joins with a name (opening a connection unless one awaits a name).
    pub join: Callback<String>,
    /// Sends a move.
    pub send: Callback<ClientCommand>,
    /// Records an input error found before sending.
    pub local_error: Callback<String>,
    /// Hides the error message.
    pub dismiss_error: Callback<()>,
}

/// The WebSocket address: the page's own host, path `/ws`.
fn socket_url() -> String {
    let location = web_sys::window().map(|w| w.location());
    let secure = location
        .as_ref()
        .and_then(|l| l.protocol().ok())
        .is_some_and(|p| p == "https:");
    let host = location
        .and_then(|l| l.host().ok())
        .unwrap_or_else(|| "localhost:8080".to_owned());
    format!("{}://{host}/ws", if secure { "wss" } else { "ws" })
}

fn describe(error: &WebSocketError) -> String {
    match error {
        // 1006: closed without a goodbye (the server crashed or the network dropped).
        WebSocketError::ConnectionClose(close) if close.code == 1006 => {
            "the connection was lost. Is the server still running?".to_owned()
        }
        WebSocketError::ConnectionClose(close) if close.reason.is_empty() => {
            format!("the connection closed (code {})", close.code)
        }
        WebSocketError::ConnectionClose(close) => close.reason.clone(),
        WebSocketError::ConnectionError => "the server cannot be reached".to_owned(),
        other => other.to_string(),
    }
}

/// Opens a connection of `generation` and returns the sender for its lines.
fn connect(
    generation: u32,
    name: String,
    dispatcher: UseReducerDispatcher<GameState>,
) -> Option<mpsc::UnboundedSender<String>> {
    dispatcher.dispatch(Action::Connecting { generation });
    let socket = match WebSocket::open_with_protocol(&socket_url(), JSON_SUBPROTOCOL) {
        Ok(socket) => socket,
        Err(error) => {
            dispatcher.dispatch(Action::Disconnected(generation, error.to_string()));
            return None;
        }
    };
    let (mut write, mut read) = socket.split();
    let (lines, mut outgoing) = mpsc::unbounded::<String>();
    dispatcher.dispatch(Action::NameSent(name.clone()));
    let _ = lines.unbounded_send(name);
    spawn_local(async move {
        while let Some(line) = outgoing.next().await {
            if write.send(Message::Text(line)).await.is_err() {
                break;
            }
        }
        let _ = write.close().await;
    });
    spawn_local(async move {
        let mut answered = false;
        while let Some(message) = read.next().await {
            match message {
                Ok(Message::Text(json)) => {
                    if !answered {
                        answered = true;
                        dispatcher.dispatch(Action::Connected(generation));
                    }
                    let event =
                        ServerEvent::from_json(&json).unwrap_or_else(|_| ServerEvent::Error {
                            message: "the server sent data this page does not understand"
                                .to_owned(),
                        });
                    dispatcher.dispatch(Action::Event(generation, event));
                }
                Ok(Message::Bytes(_)) => {}
                Err(error) => {
                    dispatcher.dispatch(Action::Disconnected(generation, describe(&error)));
                    return;
                }
            }
        }
        dispatcher.dispatch(Action::Disconnected(
            generation,
            "the connection closed".to_owned(),
        ));
    });
    Some(lines)
}

/// The game state and the actions a page can take.
#[hook]
pub fn use_game() -> GameHandle {
    let state = use_reducer(GameState::default);
    let sender: Rc<RefCell<Option<mpsc::UnboundedSender<String>>>> = use_mut_ref(|| None);
    let generations = use_mut_ref(|| 0u32);

    let join = {
        let state = state.clone();
        let sender = sender.clone();
        Callback::from(move |name: String| {
            if state.awaiting_name() {
                if let Some(lines) = sender.borrow().as_ref() {
                    state.dispatch(Action::NameSent(name.clone()));
                    let _ = lines.unbounded_send(name);
                    return;
                }
            }
            let next = {
                let mut counter = generations.borrow_mut();
                *counter += 1;
                *counter
            };
            // Replacing the sender drops the old one, closing the old socket.
            *sender.borrow_mut() = connect(next, name, state.dispatcher());
        })
    };
    let send = {
        let state = state.clone();
        let sender = sender.clone();
        Callback::from(move |command: ClientCommand| {
            if let Some(lines) = sender.borrow().as_ref() {
                if lines.unbounded_send(command.encode()).is_ok() {
                    state.dispatch(Action::Moved);
                }
            }
        })
    };
    let local_error = {
        let state = state.clone();
        Callback::from(move |message: String| state.dispatch(Action::LocalError(message)))
    };
    let dismiss_error = {
        let state = state.clone();
        Callback::from(move |()| state.dispatch(Action::DismissError))
    };
    GameHandle {
        state,
        join,
        send,
        local_error,
        dismiss_error,
    }
}
