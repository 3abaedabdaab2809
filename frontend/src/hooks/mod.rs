//! The connection to the game server as a Yew hook.
//!
//! [`use_game`] owns the [`GameState`] reducer and carries out what the
//! state asks for; it decides nothing itself:
//!
//! - one WebSocket at a time, open while [`GameState::socket`] names one,
//!   opened with the JSON subprotocol so every frame is a typed event; its
//!   opening lines and the player's commands go out through a channel
//!   drained by a writer task, and dropping the channel's sender closes it;
//! - the reconnection timer of [`GameState::retry_timer`], and a retry as
//!   soon as the browser says the network is back;
//! - the kept seat ([`GameState::seat`]) in `localStorage`;
//! - the API requests of [`GameState::leaderboard_request`] and
//!   [`GameState::history_request`], answered with [`Action::Fetched`].
//!
//! [`browser`] holds the page glue (clock, storage, address, clipboard).

pub mod browser;

use std::cell::RefCell;
use std::rc::Rc;

use futures::channel::mpsc;
use futures::{SinkExt, StreamExt};
use gloo_events::EventListener;
use gloo_net::websocket::{futures::WebSocket, Message, WebSocketError};
use gloo_timers::callback::Timeout;
use wasm_bindgen_futures::spawn_local;
use wordguess_protocol::{ClientCommand, ServerEvent, JSON_SUBPROTOCOL};
use yew::prelude::*;

use crate::state::records::ApiRequest;
use crate::state::{Action, Closed, GameState, SocketPlan};

/// What [`use_game`] gives the app: the state and the means to act on it.
///
/// The app and its screens hold it; they hand the parts below them only the
/// data they show and callbacks built here.
#[derive(Clone, PartialEq)]
pub struct GameHandle {
    /// The current state; `state.dispatch(..)` for the page's own actions
    /// (entering, leaving, local errors).
    pub state: UseReducerHandle<GameState>,
    /// Sends a command on the open connection.
    pub send: Callback<ClientCommand>,
}

impl GameHandle {
    /// Takes the action a callback is given.
    pub fn act(&self) -> Callback<Action> {
        self.state.dispatcher().to_callback()
    }

    /// Takes `action` (for a button).
    pub fn on(&self, action: Action) -> Callback<()> {
        self.act().reform(move |()| action.clone())
    }

    /// Sends `command` (for a button).
    pub fn command(&self, command: ClientCommand) -> Callback<()> {
        self.send.reform(move |()| command.clone())
    }

    /// Sends a command checked on the page, or shows why it was refused.
    pub fn send_checked(&self) -> Callback<Result<ClientCommand, String>> {
        let send = self.send.clone();
        let act = self.act();
        Callback::from(move |checked| match checked {
            Ok(command) => send.emit(command),
            Err(message) => act.emit(Action::LocalError(message)),
        })
    }
}

fn describe(error: &WebSocketError) -> Closed {
    let reason = match error {
        WebSocketError::ConnectionClose(close) if close.code == Closed::GOING_AWAY => {
            return Closed::GoingAway;
        }
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
    };
    Closed::Lost(reason)
}

/// Opens the planned connection, sends its opening lines, and returns the
/// sender for further lines.
fn connect(
    plan: &SocketPlan,
    dispatcher: UseReducerDispatcher<GameState>,
) -> Option<mpsc::UnboundedSender<String>> {
    let generation = plan.generation;
    let socket = match WebSocket::open_with_protocol(&browser::socket_url(), JSON_SUBPROTOCOL) {
        Ok(socket) => socket,
        Err(error) => {
            dispatcher.dispatch(Action::Disconnected(
                generation,
                Closed::Lost(error.to_string()),
            ));
            return None;
        }
    };
    let (mut write, mut read) = socket.split();
    let (lines, mut outgoing) = mpsc::unbounded::<String>();
    for line in &plan.lines {
        let _ = lines.unbounded_send(line.clone());
    }
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
                    // The clock first, so a turn's deadline counts from now.
                    dispatcher.dispatch(Action::Clock(browser::now_ms()));
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
            Closed::Lost("the connection closed".to_owned()),
        ));
    });
    Some(lines)
}

/// Makes the API request the state asks for (once per request) and hands
/// the answer back.
#[hook]
fn use_api(request: Option<ApiRequest>, dispatcher: UseReducerDispatcher<GameState>) {
    use_effect_with(request, move |request| {
        if let Some(ApiRequest { id, path }) = request.clone() {
            spawn_local(async move {
                dispatcher.dispatch(Action::Fetched(id, browser::fetch(&path).await));
            });
        }
    });
}

/// The game state and the actions a page can take.
#[hook]
pub fn use_game() -> GameHandle {
    let state = use_reducer(|| GameState::at_start(browser::load_seat(), browser::invite_in_url()));
    let sender: Rc<RefCell<Option<mpsc::UnboundedSender<String>>>> = use_mut_ref(|| None);

    // The socket: opened when the plan changes, closed (by dropping its
    // sender) when it changes again or goes away.
    {
        let sender = sender.clone();
        let dispatcher = state.dispatcher();
        use_effect_with(state.socket(), move |plan| {
            *sender.borrow_mut() = plan.as_ref().and_then(|plan| connect(plan, dispatcher));
            move || drop(sender.borrow_mut().take())
        });
    }
    // The next reconnection attempt.
    {
        let dispatcher = state.dispatcher();
        use_effect_with(state.retry_timer(), move |timer| {
            let timeout = timer.map(|(generation, delay_ms)| {
                Timeout::new(delay_ms, move || {
                    dispatcher.dispatch(Action::Retry(generation));
                })
            });
            move || drop(timeout)
        });
    }
    // The network is back: retry now rather than after the wait.
    {
        let dispatcher = state.dispatcher();
        use_effect_with((), move |()| {
            let listener = web_sys::window().map(|window| {
                EventListener::new(&window, "online", move |_| {
                    dispatcher.dispatch(Action::RetryNow);
                })
            });
            move || drop(listener)
        });
    }
    // What the server remembers: the leaderboard, the room's last games.
    use_api(state.leaderboard_request(), state.dispatcher());
    use_api(state.history_request(), state.dispatcher());
    // The kept seat, for the next visit.
    use_effect_with(state.seat.clone(), |seat| {
        browser::store_seat(seat.as_ref())
    });

    let send = {
        let state = state.clone();
        Callback::from(move |command: ClientCommand| {
            if let Some(lines) = sender.borrow().as_ref() {
                if lines.unbounded_send(command.encode()).is_ok() {
                    state.dispatch(Action::Sent(command));
                }
            }
        })
    };
    GameHandle { state, send }
}
