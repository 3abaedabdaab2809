//! The waiting room: who is in, the invite panel (code, link, terminal
//! command), the host's start button and settings, the room's tally and
//! last games, and the parts the game screen shares (the player rows, who
//! is watching).

use wasm_bindgen_futures::spawn_local;
use web_sys::{HtmlInputElement, HtmlSelectElement, HtmlTextAreaElement};
use wordguess_protocol::command::{MAX_TURN_SECONDS, MIN_TURN_SECONDS};
use wordguess_protocol::{ClientCommand, Language};
use yew::prelude::*;

use super::chat::Chat;
use super::records::RoomRecord;
use crate::hooks::{browser, GameHandle};
use crate::state::{
    invite_link, language_from, language_label, nc_command, time_command, wordlist_command, Action,
    GameState,
};

/// The players as list rows: name, (you), host, away, points; with
/// `show_turn`, whose turn it is.
pub(super) fn player_rows(state: &GameState, show_turn: bool) -> Html {
    html! {
        { for state.players.iter().map(|p| {
            let current = show_turn && state.turn.as_ref() == Some(&p.name);
            let me = !state.spectator && state.me.as_ref() == Some(&p.name);
            let host = state.host.as_ref() == Some(&p.name);
            html! {
                <li class={classes!("player", current.then_some("current"), me.then_some("me"), p.away.then_some("away"))}
                    data-name={p.name.clone()} aria-current={current.then_some("true")}>
                    <span class="name">{ &p.name }{ if me { " (you)" } else { "" } }</span>
                    <span class="tags">
                        if host { <span class="tag host">{ "host" }</span> }
                        if p.away { <span class="tag away">{ "away" }</span> }
                        <span class="points">{ p.points }</span>
                    </span>
                </li>
            }
        }) }
    }
}

/// How many watch, their names once `/who` told them, and a button to ask.
#[function_component]
pub(super) fn Watching() -> Html {
    let game = use_context::<GameHandle>().expect("game context");
    let state = &*game.state;
    let text = match state.watchers {
        0 => "Nobody is watching.".to_owned(),
        1 => "1 watching".to_owned(),
        n => format!("{n} watching"),
    };
    let names = if state.spectators.is_empty() {
        String::new()
    } else {
        format!(": {}", state.spectators.join(", "))
    };
    let who = game.send.reform(|_: MouseEvent| ClientCommand::Who);
    html! {
        <p class="watching muted">
            <span id="spectators">{ text }{ names }</span>
            <button id="who" type="button" class="link small" onclick={who}>{ "Who's here?" }</button>
        </p>
    }
}

/// Shown while the room gathers players.
#[function_component]
pub fn WaitingRoom() -> Html {
    let game = use_context::<GameHandle>().expect("game context");
    let state = &*game.state;
    let waiting = state.needed.saturating_sub(state.players.len());
    let (headline, detail) = match &state.host {
        None => (
            format!(
                "Waiting for {waiting} more player{}…",
                if waiting == 1 { "" } else { "s" }
            ),
            format!("The game starts with {} players.", state.needed),
        ),
        Some(_) if state.is_host() => (
            "Your room is ready".to_owned(),
            if waiting > 0 {
                format!(
                    "Invite friends: you can start with {} players or more.",
                    state.needed
                )
            } else {
                "Start when everyone is here.".to_owned()
            },
        ),
        Some(host) => (
            format!("Waiting for {host} to start the game…"),
            if state.spectator {
                "You are watching this room.".to_owned()
            } else {
                "Chat while you wait.".to_owned()
            },
        ),
    };
    let start = game.send.reform(|_: MouseEvent| ClientCommand::Start);
    html! {
        <div class="lobby">
            <div class="side">
            <section id="waiting" class="card">
                <h2>{ headline }</h2>
                <p class="muted">{ detail }</p>
                <ul id="lobby-players" class="ring">{ player_rows(state, false) }</ul>
                <Watching />
                if state.is_host() {
                    <button id="start" type="button" class="primary" disabled={!state.can_start()} onclick={start}>
                        { "Start the game" }
                    </button>
                }
                if let Some(settings) = &state.settings {
                    <p id="settings-summary" class="muted">{ settings.summary() }</p>
                }
                <RoomRecord />
            </section>
                <Chat />
            </div>
            <aside class="side">
                <InvitePanel />
                if state.is_host() {
                    <HostSettings />
                }
            </aside>
        </div>
    }
}

/// The room's code, a link to copy and the terminal command.
#[function_component]
pub(super) fn InvitePanel() -> Html {
    let game = use_context::<GameHandle>().expect("game context");
    let link_field = use_node_ref();
    let copied = use_state(|| None::<bool>);
    let Some(room) = game.state.room.clone() else {
        return html! {};
    };
    let (origin, path) = browser::origin_and_path();
    let link = invite_link(&origin, &path, &room.code);
    let terminal = nc_command(&browser::hostname(), room.tcp_port, &room.code);
    let copy = {
        let link = link.clone();
        let link_field = link_field.clone();
        let copied = copied.clone();
        Callback::from(move |_: MouseEvent| {
            let link = link.clone();
            let field = link_field.cast::<HtmlInputElement>();
            let copied = copied.clone();
            spawn_local(async move {
                copied.set(Some(browser::copy(&link, field).await));
            });
        })
    };
    let select_all = Callback::from(|event: FocusEvent| {
        if let Some(field) = event.target_dyn_into::<HtmlInputElement>() {
            field.select();
        }
    });
    let copy_label = match *copied {
        Some(true) => "Copied!",
        Some(false) => "Press Ctrl+C to copy",
        None => "Copy link",
    };
    html! {
        <section id="invite" class="card invite">
            <h3>{ "Invite friends" }</h3>
            <p>{ "Room code " }<strong id="room-code" class="code">{ &room.code }</strong></p>
            <div class="row">
                <label for="invite-link" class="sr-only">{ "Invite link" }</label>
                <input id="invite-link" ref={link_field} type="text" readonly=true value={link} onfocus={select_all} />
                <button id="copy-link" type="button" class="secondary" onclick={copy}>{ copy_label }</button>
            </div>
            if let Some(command) = terminal {
                <p class="muted small">{ "From a terminal:" }</p>
                <pre id="nc-command" class="command">{ command }</pre>
            }
        </section>
    }
}

/// Sends a command checked on the page, or shows why it is refused.
fn send_checked(game: &GameHandle, checked: Result<ClientCommand, String>) {
    match checked {
        Ok(command) => game.send.emit(command),
        Err(message) => game.state.dispatch(Action::LocalError(message)),
    }
}

/// The host's settings: language, time per turn, own words.
#[function_component]
fn HostSettings() -> Html {
    let game = use_context::<GameHandle>().expect("game context");
    let time_input = use_node_ref();
    let words_input = use_node_ref();
    let state = &*game.state;
    let language = state
        .settings
        .as_ref()
        .map_or(Language::Both, |s| s.language);
    let on_language = {
        let send = game.send.clone();
        Callback::from(move |event: Event| {
            if let Some(language) = event
                .target_dyn_into::<HtmlSelectElement>()
                .and_then(|select| language_from(&select.value()))
            {
                send.emit(ClientCommand::Lang(language));
            }
        })
    };
    let on_time = {
        let game = game.clone();
        super::on_field_submit(&time_input, move |field| {
            send_checked(&game, time_command(&field.value()));
        })
    };
    let time_off = game.send.reform(|_: MouseEvent| ClientCommand::Time(None));
    let on_words = {
        let game = game.clone();
        let words_input = words_input.clone();
        Callback::from(move |event: SubmitEvent| {
            event.prevent_default();
            if let Some(field) = words_input.cast::<HtmlTextAreaElement>() {
                send_checked(&game, wordlist_command(&field.value()));
            }
        })
    };
    let builtin = game
        .send
        .reform(|_: MouseEvent| ClientCommand::WordList(None));
    let current_time = match state.settings.as_ref().and_then(|s| s.turn_seconds) {
        Some(seconds) => format!("{seconds} s"),
        None => "no limit".to_owned(),
    };
    html! {
        <section id="host-settings" class="card settings">
            <h3>{ "Room settings" }</h3>
            <div class="field">
                <label for="language">{ "Words in" }</label>
                <select id="language" onchange={on_language}>
                    { for [Language::Uk, Language::En, Language::Both].into_iter().map(|option| html! {
                        <option value={option.as_str()} selected={option == language}>{ language_label(option) }</option>
                    }) }
                </select>
            </div>
            <form id="time-form" class="field" onsubmit={on_time}>
                <label for="turn-seconds">{ format!("Seconds per turn (now {current_time})") }</label>
                <div class="row">
                    <input id="turn-seconds" ref={time_input} type="number" inputmode="numeric"
                        min={MIN_TURN_SECONDS.to_string()} max={MAX_TURN_SECONDS.to_string()} placeholder="60" />
                    <button id="set-time" type="submit" class="secondary">{ "Set" }</button>
                    <button id="time-off" type="button" class="secondary" onclick={time_off}>{ "No limit" }</button>
                </div>
            </form>
            <form id="wordlist-form" class="field" onsubmit={on_words}>
                <label for="wordlist">{ "Your own words (optional, separated by spaces)" }</label>
                <textarea id="wordlist" ref={words_input} rows="3" placeholder="яблуко ґанок apple" spellcheck="false" />
                <div class="row">
                    <button id="set-wordlist" type="submit" class="secondary">{ "Use these words" }</button>
                    <button id="builtin-words" type="button" class="secondary" onclick={builtin}>{ "Built-in words" }</button>
                </div>
            </form>
        </section>
    }
}
