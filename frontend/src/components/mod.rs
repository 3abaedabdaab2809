//! The app's screens and their parts.
//!
//! [`App`] owns the [`GameHandle`] (from [`use_game`]) and picks a screen
//! from [`GameState::screen`](crate::state::GameState::screen). Each screen
//! is a container that gets the handle as a prop ([`ScreenProps`]); it
//! reads what its parts show from the state (and its derivations in
//! `state`) and builds their callbacks with the handle's helpers. The parts
//! below the screens take only that data as props and `Callback`s for what
//! they do, so none of them knows the handle: the logic stays in `state`.
//!
//! - `notices`: the connection's banner and the error and info toasts;
//! - `join`: the join screen (its forms: quick match, create a room, a
//!   room's code or invite) and the "taking your seat back" screen;
//! - `room`: the waiting room (invite panel, host's settings);
//! - `game`: the running game (countdown, keyboard, guess field, ring, log);
//! - `players`: the player rows and who is watching (waiting room and game);
//! - `chat`: the room's chat;
//! - `results`: the end of a game and "play again";
//! - `records`: the leaderboard and the room's record (tally, last games);
//! - `word`: the word as tiles.

mod chat;
mod game;
mod join;
mod notices;
mod players;
mod records;
mod results;
mod room;
mod word;

use wordguess_protocol::ClientCommand;
use yew::prelude::*;

use crate::hooks::{use_game, GameHandle};
use crate::state::{Action, Screen};

/// The properties of every screen: the game and the means to act on it.
#[derive(Properties, PartialEq)]
pub struct ScreenProps {
    /// The state and its callbacks.
    pub game: GameHandle,
}

/// The whole app.
#[function_component]
pub fn App() -> Html {
    let game = use_game();
    let state = &*game.state;
    let screen = match state.screen() {
        Screen::Join => html! { <join::JoinScreen game={game.clone()} /> },
        Screen::Resuming => html! { <join::ResumingScreen game={game.clone()} /> },
        Screen::Waiting => html! { <room::WaitingRoom game={game.clone()} /> },
        Screen::Playing => html! { <game::GameScreen game={game.clone()} /> },
        Screen::Results => html! { <results::ResultsScreen game={game.clone()} /> },
    };
    let (badge_class, badge_text) = state.badge();
    html! {
        <div class="app">
            <header class="topbar">
                <h1 class="logo">{ "word" }<span>{ "guess" }</span></h1>
                <span id="connection" class={classes!("badge", badge_class)} role="status">{ badge_text }</span>
            </header>
            <notices::Banner text={state.banner()} calm={state.banner_is_calm()}
                retrying={state.lost_reason.is_some()}
                on_retry={game.on(Action::RetryNow)} on_leave={game.on(Action::Leave)} />
            <notices::Toast kind={notices::ToastKind::Error} message={state.error.clone()}
                on_dismiss={game.on(Action::DismissError)} />
            <notices::Toast kind={notices::ToastKind::Info} message={state.info.clone()}
                on_dismiss={game.on(Action::DismissInfo)} />
            <main>
                <records::LeaderboardPanel board={state.leaderboard.clone()}
                    on_hide={game.on(Action::HideLeaderboard)} />
                { screen }
            </main>
            <footer class="footer">
                { "Terminal friends can join the same game with " }<code>{ "nc" }</code>{ "." }
            </footer>
        </div>
    }
}

/// What a form makes of its text field: the command checked on the page,
/// the reason it is refused, or `None` for nothing to send.
type Check = fn(&str) -> Option<Result<ClientCommand, String>>;

/// A form's submit handler for the text field behind `input`: `check` makes
/// a command of its text and `on_command` gets it (or why it is refused);
/// with `clear`, a command that passed empties the field. The browser does
/// not reload the page.
fn on_command_submit(
    input: &NodeRef,
    check: Check,
    clear: bool,
    on_command: &Callback<Result<ClientCommand, String>>,
) -> Callback<SubmitEvent> {
    let input = input.clone();
    let on_command = on_command.clone();
    Callback::from(move |event: SubmitEvent| {
        event.prevent_default();
        let Some(field) = input.cast::<web_sys::HtmlInputElement>() else {
            return;
        };
        if let Some(checked) = check(&field.value()) {
            if clear && checked.is_ok() {
                field.set_value("");
            }
            on_command.emit(checked);
        }
    })
}

/// A button's click handler that runs `callback`.
fn on_click(callback: &Callback<()>) -> Callback<MouseEvent> {
    callback.reform(|_: MouseEvent| ())
}
