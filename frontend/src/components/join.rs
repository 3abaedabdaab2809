//! The join screen (a name, then quick match, a new room, or a room's code;
//! or, from an invite link, join or watch that room; and the leaderboard)
//! and the screen shown while a kept seat is being taken back.

use wordguess_protocol::{text::validate_name, RoomCode, MAX_NAME_CHARS};
use yew::prelude::*;

use super::on_click;
use super::records::LeaderboardButton;
use crate::hooks::GameHandle;
use crate::state::{Action, Connection, Entry};

/// The name in `input`, checked; a bad one is reported and gives `None`.
fn checked_name(game: &GameHandle, input: &NodeRef) -> Option<String> {
    let field = input.cast::<web_sys::HtmlInputElement>()?;
    match validate_name(&field.value()) {
        Ok(name) => Some(name),
        Err(error) => {
            game.state.dispatch(Action::LocalError(error.to_string()));
            None
        }
    }
}

/// Enters as the name in `name_input`, the way `entry` gives.
fn enter_with(
    game: &GameHandle,
    name_input: &NodeRef,
    entry: impl Fn() -> Option<Entry> + 'static,
) -> Callback<()> {
    let game = game.clone();
    let name_input = name_input.clone();
    Callback::from(move |()| {
        let Some(name) = checked_name(&game, &name_input) else {
            return;
        };
        if let Some(entry) = entry() {
            game.state.dispatch(Action::Enter { entry, name });
        }
    })
}

fn on_submit(callback: Callback<()>) -> Callback<SubmitEvent> {
    Callback::from(move |event: SubmitEvent| {
        event.prevent_default();
        callback.emit(());
    })
}

/// Asks for a name and how to play.
#[function_component]
pub fn JoinScreen() -> Html {
    let game = use_context::<GameHandle>().expect("game context");
    let name_input = use_node_ref();
    let code_input = use_node_ref();
    let state = &*game.state;
    let busy = state.connection == Connection::Connecting;
    let name_field = html! {
        <>
            <label for="name-input" class="sr-only">{ "Your name" }</label>
            <input id="name-input" ref={name_input.clone()} type="text" placeholder="Your name"
                maxlength={MAX_NAME_CHARS.to_string()} autocomplete="nickname" autofocus=true
                value={state.name.clone()} disabled={busy} />
        </>
    };
    if let Some(code) = state.invite.clone() {
        let join = {
            let code = code.clone();
            enter_with(&game, &name_input, move || Some(Entry::Join(code.clone())))
        };
        let watch = {
            let code = code.clone();
            enter_with(&game, &name_input, move || Some(Entry::Watch(code.clone())))
        };
        return html! {
            <section id="invite-join" class="card join">
                <h2>{ "Join room " }<span id="invite-code" class="code">{ code.as_str() }</span></h2>
                <p class="muted">{ "Choose a name to play in this room, or just watch the game." }</p>
                <form onsubmit={on_submit(join)} class="stack">
                    { name_field }
                    <div class="row">
                        <button id="join-button" type="submit" class="primary" disabled={busy}>
                            { if busy { "Connecting…" } else { "Join the room" } }
                        </button>
                        <button id="watch" type="button" class="secondary" disabled={busy}
                            onclick={watch.reform(|_: MouseEvent| ())}>{ "Watch instead" }</button>
                    </div>
                </form>
                <button id="leave-invite" type="button" class="link small"
                    onclick={on_click(&game, Action::Invite(None))}>
                    { "Not this room: quick match or a room of my own" }
                </button>
            </section>
        };
    }
    let quick = enter_with(&game, &name_input, || Some(Entry::QuickMatch));
    let create = enter_with(&game, &name_input, || Some(Entry::Create));
    let by_code = |watch: bool| {
        let errors = game.state.clone();
        let code_input = code_input.clone();
        enter_with(&game, &name_input, move || {
            let field = code_input.cast::<web_sys::HtmlInputElement>()?;
            match RoomCode::parse(&field.value()) {
                Ok(code) if watch => Some(Entry::Watch(code)),
                Ok(code) => Some(Entry::Join(code)),
                Err(error) => {
                    errors.dispatch(Action::LocalError(error.to_string()));
                    None
                }
            }
        })
    };
    let join_code = by_code(false);
    let watch_code = by_code(true);
    html! {
        <section class="card join">
            <h2>{ "Guess the word, letter by letter" }</h2>
            <p class="muted">
                { "Players take turns naming a letter or the whole word. Each letter found scores a point and keeps your turn; a wrong word wipes your points. Whoever completes the word wins a prize." }
            </p>
            <form onsubmit={on_submit(quick)} class="stack">
                { name_field }
                <div class="row">
                    <button id="join-button" type="submit" class="primary" disabled={busy}>
                        { if busy { "Connecting…" } else { "Quick match" } }
                    </button>
                    <button id="create-room" type="button" class="secondary" disabled={busy}
                        onclick={create.reform(|_: MouseEvent| ())}>{ "Create a room" }</button>
                </div>
            </form>
            <form onsubmit={on_submit(join_code)} class="code-join">
                <h3>{ "Have a room code?" }</h3>
                <div class="row">
                    <label for="code-input" class="sr-only">{ "Room code" }</label>
                    <input id="code-input" ref={code_input} type="text" placeholder="Room code, like K7QXPM"
                        autocomplete="off" autocapitalize="characters" spellcheck="false" disabled={busy} />
                    <button id="join-code" type="submit" class="secondary" disabled={busy}>{ "Join" }</button>
                    <button id="watch-code" type="button" class="secondary" disabled={busy}
                        onclick={watch_code.reform(|_: MouseEvent| ())}>{ "Watch" }</button>
                </div>
            </form>
            <p class="records-link muted small">{ "Who plays best here? " }<LeaderboardButton /></p>
        </section>
    }
}

/// Shown after a refresh while the kept seat is being taken back.
#[function_component]
pub fn ResumingScreen() -> Html {
    let game = use_context::<GameHandle>().expect("game context");
    let state = &*game.state;
    let place = match state.seat.as_ref().and_then(|seat| seat.room.as_ref()) {
        Some(room) => format!("Room {room}, as {}.", state.name),
        None => format!("As {}.", state.name),
    };
    html! {
        <section id="resuming" class="card join">
            <h2>{ "Taking your seat back…" }</h2>
            <p class="muted">{ place }</p>
            <button id="cancel-resume" type="button" class="secondary"
                onclick={on_click(&game, Action::Leave)}>{ "Leave the game" }</button>
        </section>
    }
}
