//! The app's screens and their parts.
//!
//! [`App`] picks a screen from [`GameState::screen`](crate::state::GameState::screen);
//! each screen gets the [`GameHandle`] through a
//! context, so components stay thin and the logic stays in `state`.
//!
//! - `join`: the join screen (quick match, create a room, a room's invite)
//!   and the "taking your seat back" screen;
//! - `room`: the waiting room (invite panel, players, host's start and
//!   settings, the room's tally);
//! - `game`: the running game (word, countdown, keyboard, ring, log);
//! - `chat`: the room's chat;
//! - `results`: the end of a game and "play again";
//! - `records`: the leaderboard and the room's last games;
//! - `word`: the word as tiles.

mod chat;
mod game;
mod join;
mod records;
mod results;
mod room;
mod word;

use yew::prelude::*;

use crate::hooks::{use_game, GameHandle};
use crate::state::{Action, Screen};

/// The whole app.
#[function_component]
pub fn App() -> Html {
    let game = use_game();
    let state = &*game.state;
    let screen = match state.screen() {
        Screen::Join => html! { <join::JoinScreen /> },
        Screen::Resuming => html! { <join::ResumingScreen /> },
        Screen::Waiting => html! { <room::WaitingRoom /> },
        Screen::Playing => html! { <game::GameScreen /> },
        Screen::Results => html! { <results::ResultsScreen /> },
    };
    let (badge_class, badge_text) = state.badge();
    html! {
        <ContextProvider<GameHandle> context={game.clone()}>
            <div class="app">
                <header class="topbar">
                    <h1 class="logo">{ "word" }<span>{ "guess" }</span></h1>
                    <span id="connection" class={classes!("badge", badge_class)} role="status">{ badge_text }</span>
                </header>
                <Banner />
                <ErrorMessage />
                <InfoMessage />
                <main>
                    <records::LeaderboardPanel />
                    { screen }
                </main>
                <footer class="footer">
                    { "Terminal friends can join the same game with " }<code>{ "nc" }</code>{ "." }
                </footer>
            </div>
        </ContextProvider<GameHandle>>
    }
}

/// A form's submit handler that hands `handle` the text field behind `input`
/// (and keeps the browser from reloading the page).
fn on_field_submit(
    input: &NodeRef,
    handle: impl Fn(&web_sys::HtmlInputElement) + 'static,
) -> Callback<SubmitEvent> {
    let input = input.clone();
    Callback::from(move |event: SubmitEvent| {
        event.prevent_default();
        if let Some(field) = input.cast::<web_sys::HtmlInputElement>() {
            handle(&field);
        }
    })
}

/// A button's click handler that dispatches `action`.
fn on_click(game: &GameHandle, action: Action) -> Callback<MouseEvent> {
    let state = game.state.clone();
    Callback::from(move |_: MouseEvent| state.dispatch(action.clone()))
}

/// The connection's trouble, and while the page tries to come back, what
/// it is doing and a way out.
#[function_component]
fn Banner() -> Html {
    let game = use_context::<GameHandle>().expect("game context");
    let state = &*game.state;
    let Some(banner) = state.banner() else {
        return html! {};
    };
    // The server's own goodbye, or its restart, is news rather than trouble.
    let calm = (state.quit && state.outcome.is_none()) || state.restarting;
    let retrying = state.lost_reason.is_some();
    html! {
        <div class={classes!("banner-row", calm.then_some("calm"))}>
            <div id="banner" class="banner" role={if calm { "status" } else { "alert" }}>{ banner }</div>
            if retrying {
                <div class="reconnecting" aria-live="polite">
                    <span id="reconnecting">{ "Reconnecting…" }</span>
                    <button id="reconnect-now" type="button" class="secondary"
                        onclick={on_click(&game, Action::RetryNow)}>{ "Try now" }</button>
                    <button id="leave" type="button" class="secondary"
                        onclick={on_click(&game, Action::Leave)}>{ "Leave" }</button>
                </div>
            }
        </div>
    }
}

/// The last error the server (or the page) reported for this player.
#[function_component]
fn ErrorMessage() -> Html {
    let game = use_context::<GameHandle>().expect("game context");
    let Some(error) = game.state.error.clone() else {
        return html! {};
    };
    html! {
        <div id="error" class="toast" role="alert">
            <span>{ error }</span>
            <button class="link" onclick={on_click(&game, Action::DismissError)} aria-label="Dismiss">{ "✕" }</button>
        </div>
    }
}

/// A calm message for this player (e.g. back in the seat after a refresh).
#[function_component]
fn InfoMessage() -> Html {
    let game = use_context::<GameHandle>().expect("game context");
    let Some(info) = game.state.info.clone() else {
        return html! {};
    };
    html! {
        <div id="info" class="toast info" role="status">
            <span>{ info }</span>
            <button class="link" onclick={on_click(&game, Action::DismissInfo)} aria-label="Dismiss">{ "✕" }</button>
        </div>
    }
}
