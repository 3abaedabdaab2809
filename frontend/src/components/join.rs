//! The join screen (a name, then quick match, a new room, or a room's code;
//! or, from an invite link, join or watch that room; and the leaderboard)
//! and the screen shown while a kept seat is being taken back.

use wordguess_protocol::{RoomCode, MAX_NAME_CHARS};
use yew::prelude::*;

use super::records::LeaderboardButton;
use super::{on_click, ScreenProps};
use crate::state::{enter_action, entry_by_code, Action, Connection, Entry};

/// The join screen: hands [`JoinForms`] what they show and makes what the
/// player chose the [`Action`] to take.
#[function_component]
pub fn JoinScreen(props: &ScreenProps) -> Html {
    let game = &props.game;
    let state = &*game.state;
    let on_enter = game
        .act()
        .reform(|(name, entry): (String, Result<Entry, String>)| enter_action(&name, entry));
    html! {
        <JoinForms invite={state.invite.clone()} name={state.name.clone()}
            busy={state.connection == Connection::Connecting} {on_enter}
            on_not_this_room={game.on(Action::Invite(None))}
            on_leaderboard={game.on(Action::ShowLeaderboard)} />
    }
}

/// Properties of [`JoinForms`].
#[derive(Properties, PartialEq)]
pub struct JoinFormsProps {
    /// The room the page's address invites to, if any.
    pub invite: Option<RoomCode>,
    /// The name to offer in the field.
    pub name: AttrValue,
    /// Whether a connection is being opened (the forms wait).
    pub busy: bool,
    /// The player asked to enter: the name as typed and the way in (or why
    /// what was typed is no way in).
    pub on_enter: Callback<(String, Result<Entry, String>)>,
    /// The player wants another room than the invite's.
    pub on_not_this_room: Callback<()>,
    /// Show the leaderboard.
    pub on_leaderboard: Callback<()>,
}

/// Asks for a name and how to play.
#[function_component]
pub fn JoinForms(props: &JoinFormsProps) -> Html {
    let name_input = use_node_ref();
    let code_input = use_node_ref();
    let busy = props.busy;
    let enter = |way| enter_with(&props.on_enter, &name_input, way);
    let name_field = html! {
        <>
            <label for="name-input" class="sr-only">{ "Your name" }</label>
            <input id="name-input" ref={name_input.clone()} type="text" placeholder="Your name"
                maxlength={MAX_NAME_CHARS.to_string()} autocomplete="nickname" autofocus=true
                value={props.name.clone()} disabled={busy} />
        </>
    };
    if let Some(code) = props.invite.clone() {
        let join = {
            let code = code.clone();
            enter(Box::new(move || Ok(Entry::Join(code.clone()))))
        };
        let watch = {
            let code = code.clone();
            enter(Box::new(move || Ok(Entry::Watch(code.clone()))))
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
                            onclick={on_click(&watch)}>{ "Watch instead" }</button>
                    </div>
                </form>
                <button id="leave-invite" type="button" class="link small"
                    onclick={on_click(&props.on_not_this_room)}>
                    { "Not this room: quick match or a room of my own" }
                </button>
            </section>
        };
    }
    let quick = enter(Box::new(|| Ok(Entry::QuickMatch)));
    let create = enter(Box::new(|| Ok(Entry::Create)));
    let versus_computer = enter(Box::new(|| Ok(Entry::VersusComputer)));
    let by_code = |watch: bool| {
        let code_input = code_input.clone();
        enter(Box::new(move || {
            let code = code_input
                .cast::<web_sys::HtmlInputElement>()
                .map(|field| field.value())
                .unwrap_or_default();
            entry_by_code(&code, watch)
        }))
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
                        onclick={on_click(&create)}>{ "Create a room" }</button>
                    <button id="versus-computer" type="button" class="secondary" disabled={busy}
                        onclick={on_click(&versus_computer)}>{ "Play against the computer" }</button>
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
                        onclick={on_click(&watch_code)}>{ "Watch" }</button>
                </div>
            </form>
            <p class="records-link muted small">
                { "Who plays best here? " }<LeaderboardButton on_show={props.on_leaderboard.clone()} />
            </p>
        </section>
    }
}

/// Hands `on_enter` the name in `name_input`, as typed, and the way in that
/// `way` gives.
fn enter_with(
    on_enter: &Callback<(String, Result<Entry, String>)>,
    name_input: &NodeRef,
    way: Box<dyn Fn() -> Result<Entry, String>>,
) -> Callback<()> {
    let on_enter = on_enter.clone();
    let name_input = name_input.clone();
    Callback::from(move |()| {
        if let Some(field) = name_input.cast::<web_sys::HtmlInputElement>() {
            on_enter.emit((field.value(), way()));
        }
    })
}

/// A form's submit handler that runs `callback` (and keeps the browser from
/// reloading the page).
fn on_submit(callback: Callback<()>) -> Callback<SubmitEvent> {
    Callback::from(move |event: SubmitEvent| {
        event.prevent_default();
        callback.emit(());
    })
}

/// Shown after a refresh while the kept seat is being taken back.
#[function_component]
pub fn ResumingScreen(props: &ScreenProps) -> Html {
    let game = &props.game;
    html! {
        <section id="resuming" class="card join">
            <h2>{ "Taking your seat back…" }</h2>
            <p class="muted">{ game.state.resuming_place() }</p>
            <button id="cancel-resume" type="button" class="secondary"
                onclick={on_click(&game.on(Action::Leave))}>{ "Leave the game" }</button>
        </section>
    }
}
