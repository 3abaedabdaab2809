//! The join screen (choose a name) and the waiting room.

use wordguess_protocol::{text::validate_name, MAX_NAME_CHARS};
use yew::prelude::*;

use crate::hooks::GameHandle;
use crate::state::Connection;

/// Asks for a name and joins the next game.
#[function_component]
pub fn JoinScreen() -> Html {
    let game = use_context::<GameHandle>().expect("game context");
    let input = use_node_ref();
    let busy = game.state.connection == Connection::Connecting;
    let onsubmit = {
        let game = game.clone();
        super::on_field_submit(&input, move |field| match validate_name(&field.value()) {
            Ok(name) => game.join.emit(name),
            Err(error) => game.local_error.emit(error.to_string()),
        })
    };
    let label = if game.state.awaiting_name() {
        "Try this name"
    } else {
        "Play"
    };
    html! {
        <section class="card join">
            <h2>{ "Guess the word, letter by letter" }</h2>
            <p class="muted">
                { "Players take turns naming a letter or the whole word. Each letter found scores a point and keeps your turn; a wrong word wipes your points. Whoever completes the word wins a prize." }
            </p>
            <form {onsubmit} class="row">
                <label for="name-input" class="sr-only">{ "Your name" }</label>
                <input id="name-input" ref={input} type="text" placeholder="Your name"
                    maxlength={MAX_NAME_CHARS.to_string()} autocomplete="nickname" autofocus=true
                    value={game.state.name.clone()} disabled={busy} />
                <button id="join-button" type="submit" class="primary" disabled={busy}>
                    { if busy { "Connecting…" } else { label } }
                </button>
            </form>
        </section>
    }
}

/// Shown while the game gathers players.
#[function_component]
pub fn WaitingRoom() -> Html {
    let game = use_context::<GameHandle>().expect("game context");
    let state = &*game.state;
    let waiting = state.needed.saturating_sub(state.players.len());
    html! {
        <section id="waiting" class="card">
            <h2>{ format!("Waiting for {waiting} more player{}…", if waiting == 1 { "" } else { "s" }) }</h2>
            <p class="muted">{ format!("The game starts with {} players.", state.needed) }</p>
            <ul class="ring">
                { for state.players.iter().map(|p| html! {
                    <li class={classes!("player", (state.me.as_ref() == Some(&p.name)).then_some("me"))}>
                        <span class="name">{ &p.name }</span>
                    </li>
                }) }
            </ul>
        </section>
    }
}
