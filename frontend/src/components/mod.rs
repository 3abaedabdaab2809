//! The app's screens and their parts.
//!
//! [`App`] picks a screen from [`GameState::screen`](crate::state::GameState::screen);
//! each screen gets the [`GameHandle`](crate::hooks::GameHandle) through a
//! context, so components stay thin and the logic stays in `state`.

mod game;
mod join;
mod results;
mod word;

use yew::prelude::*;

use crate::hooks::{use_game, GameHandle};
use crate::state::{Connection, Screen};

/// The whole app.
#[function_component]
pub fn App() -> Html {
    let game = use_game();
    let state = &*game.state;
    let screen = match state.screen() {
        Screen::Join => html! { <join::JoinScreen /> },
        Screen::Waiting => html! { <join::WaitingRoom /> },
        Screen::Playing => html! { <game::GameScreen /> },
        Screen::Results => html! { <results::ResultsScreen /> },
    };
    let (badge_class, badge_text) = match &state.connection {
        Connection::Offline => ("badge offline", "Offline"),
        Connection::Connecting => ("badge connecting", "Connecting…"),
        Connection::Connected => ("badge online", "Connected"),
        Connection::Lost(_) => ("badge lost", "Disconnected"),
    };
    html! {
        <ContextProvider<GameHandle> context={game.clone()}>
            <div class="app">
                <header class="topbar">
                    <h1 class="logo">{ "word" }<span>{ "guess" }</span></h1>
                    <span id="connection" class={badge_class} role="status">{ badge_text }</span>
                </header>
                if let Some(banner) = state.banner() {
                    <div id="banner" class="banner" role="alert">{ banner }</div>
                }
                <ErrorMessage />
                <main>{ screen }</main>
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

/// The last error the server (or the page) reported for this player.
#[function_component]
fn ErrorMessage() -> Html {
    let game = use_context::<GameHandle>().expect("game context");
    let Some(error) = game.state.error.clone() else {
        return html! {};
    };
    let dismiss = game.dismiss_error.reform(|_: MouseEvent| ());
    html! {
        <div id="error" class="toast" role="alert">
            <span>{ error }</span>
            <button class="link" onclick={dismiss} aria-label="Dismiss">{ "✕" }</button>
        </div>
    }
}
