//! The waiting room: who is in and who watches, the host's start button,
//! the room's settings, tally and last games, the chat, the invite panel
//! (code, link to copy, terminal command) and the host's settings form.

use wasm_bindgen_futures::spawn_local;
use web_sys::{HtmlInputElement, HtmlSelectElement, HtmlTextAreaElement};
use wordguess_protocol::command::{MAX_TURN_SECONDS, MIN_TURN_SECONDS};
use wordguess_protocol::{BotLevel, ClientCommand, Language};
use yew::prelude::*;

use super::chat::Chat;
use super::players::{PlayerRows, Watching};
use super::records::RoomRecord;
use super::{on_click, on_command_submit, ScreenProps};
use crate::hooks::browser;
use crate::state::{
    invite_link, language_from, language_label, nc_command, time_command, wordlist_command,
    RoomInfo, RoomSettings, LANGUAGES,
};

/// Shown while the room gathers players.
#[function_component]
pub fn WaitingRoom(props: &ScreenProps) -> Html {
    let game = &props.game;
    let state = &*game.state;
    let (headline, detail) = state.waiting_lines();
    let on_command = game.send_checked();
    html! {
        <div class="lobby">
            <div class="side">
            <section id="waiting" class="card">
                <h2>{ headline }</h2>
                <p class="muted">{ detail }</p>
                <ul id="lobby-players" class="ring">
                    <PlayerRows rows={state.player_rows(false)}
                        on_remove={state.is_host().then(|| game.send.reform(ClientCommand::Kick))} />
                </ul>
                <Watching text={state.watching()} on_who={game.command(ClientCommand::Who)} />
                if state.is_host() {
                    <button id="start" type="button" class="primary" disabled={!state.can_start()}
                        onclick={on_click(&game.command(ClientCommand::Start))}>
                        { "Start the game" }
                    </button>
                    <AddComputer on_add={game.send.reform(ClientCommand::Bot)} />
                }
                if let Some(settings) = &state.settings {
                    <p id="settings-summary" class="muted">{ settings.summary() }</p>
                }
                <RoomRecord tally={state.tally.clone()} history={state.history.clone()} />
            </section>
                <Chat lines={state.chat.clone()} on_command={on_command.clone()} />
            </div>
            <aside class="side">
                if let Some(room) = &state.room {
                    <InvitePanel room={room.clone()} />
                }
                if state.is_host() {
                    <HostSettings settings={state.settings.clone()} {on_command} />
                }
            </aside>
        </div>
    }
}

/// Properties of [`AddComputer`].
#[derive(Properties, PartialEq)]
pub struct AddComputerProps {
    /// Seats a computer player of this level.
    pub on_add: Callback<BotLevel>,
}

/// The host's "Add a computer player", with its level.
#[function_component]
pub fn AddComputer(props: &AddComputerProps) -> Html {
    let level_input = use_node_ref();
    let on_submit = {
        let on_add = props.on_add.clone();
        let level_input = level_input.clone();
        Callback::from(move |event: SubmitEvent| {
            event.prevent_default();
            let level = level_input
                .cast::<HtmlSelectElement>()
                .and_then(|select| select.value().parse().ok())
                .unwrap_or_default();
            on_add.emit(level);
        })
    };
    html! {
        <form id="add-computer" class="row" onsubmit={on_submit}>
            <label for="computer-level" class="sr-only">{ "Computer player's level" }</label>
            <select id="computer-level" ref={level_input}>
                { for BotLevel::ALL.into_iter().map(|level| html! {
                    <option value={level.as_str()} selected={level == BotLevel::default()}>{ level.as_str() }</option>
                }) }
            </select>
            <button id="add-computer-button" type="submit" class="secondary">{ "Add a computer player" }</button>
        </form>
    }
}

/// Properties of [`InvitePanel`].
#[derive(Properties, PartialEq)]
pub struct InvitePanelProps {
    /// The room to invite to.
    pub room: RoomInfo,
}

/// The room's code, a link to copy and the terminal command.
#[function_component]
pub fn InvitePanel(props: &InvitePanelProps) -> Html {
    let link_field = use_node_ref();
    let copied = use_state(|| None::<bool>);
    let room = &props.room;
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

/// Properties of [`HostSettings`].
#[derive(Properties, PartialEq)]
pub struct HostSettingsProps {
    /// The room's settings, as the server last announced them.
    pub settings: Option<RoomSettings>,
    /// Send a settings command checked on the page, or show why it is
    /// refused.
    pub on_command: Callback<Result<ClientCommand, String>>,
}

/// The host's settings: language, time per turn, own words.
#[function_component]
pub fn HostSettings(props: &HostSettingsProps) -> Html {
    let time_input = use_node_ref();
    let words_input = use_node_ref();
    let settings = props.settings.as_ref();
    let language = settings.map_or(Language::Both, |s| s.language);
    // A command made on the page without checks, for a button or a choice.
    let send = |command: ClientCommand| props.on_command.reform(move |_| Ok(command.clone()));
    let on_language = {
        let on_command = props.on_command.clone();
        Callback::from(move |event: Event| {
            if let Some(language) = event
                .target_dyn_into::<HtmlSelectElement>()
                .and_then(|select| language_from(&select.value()))
            {
                on_command.emit(Ok(ClientCommand::Lang(language)));
            }
        })
    };
    let on_time = on_command_submit(
        &time_input,
        |text| Some(time_command(text)),
        false,
        &props.on_command,
    );
    let on_words = {
        let on_command = props.on_command.clone();
        let words_input = words_input.clone();
        Callback::from(move |event: SubmitEvent| {
            event.prevent_default();
            if let Some(field) = words_input.cast::<HtmlTextAreaElement>() {
                on_command.emit(wordlist_command(&field.value()));
            }
        })
    };
    let current_time = match settings.and_then(|s| s.turn_seconds) {
        Some(seconds) => format!("{seconds} s"),
        None => "no limit".to_owned(),
    };
    html! {
        <section id="host-settings" class="card settings">
            <h3>{ "Room settings" }</h3>
            <div class="field">
                <label for="language">{ "Words in" }</label>
                <select id="language" onchange={on_language}>
                    { for LANGUAGES.into_iter().map(|option| html! {
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
                    <button id="time-off" type="button" class="secondary" onclick={send(ClientCommand::Time(None))}>{ "No limit" }</button>
                </div>
            </form>
            <form id="wordlist-form" class="field" onsubmit={on_words}>
                <label for="wordlist">{ "Your own words (optional, separated by spaces)" }</label>
                <textarea id="wordlist" ref={words_input} rows="3" placeholder="яблуко ґанок apple" spellcheck="false" />
                <div class="row">
                    <button id="set-wordlist" type="submit" class="secondary">{ "Use these words" }</button>
                    <button id="builtin-words" type="button" class="secondary" onclick={send(ClientCommand::WordList(None))}>{ "Built-in words" }</button>
                </div>
            </form>
        </section>
    }
}
