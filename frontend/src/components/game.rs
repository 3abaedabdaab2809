//! The game screen: the word, whose turn with its countdown, the keyboard,
//! the guess field, the ring, the chat and the log. Spectators see the same
//! without the means to move.

use gloo_events::{EventListener, EventListenerOptions};
use gloo_timers::callback::Interval;
use wasm_bindgen::JsCast;
use web_sys::KeyboardEvent;
use wordguess_protocol::text::fold;
use wordguess_protocol::ClientCommand;
use yew::prelude::*;

use super::chat::Chat;
use super::players::{PlayerRows, Watching, WatchingProps};
use super::word::WordTiles;
use super::{on_command_submit, ScreenProps};
use crate::hooks::browser;
use crate::state::{guess_command, seconds_until, Key};

/// How often the countdown looks at the clock (it shows whole seconds).
const COUNTDOWN_TICK_MS: u32 = 250;
/// From this many seconds on, the countdown turns urgent.
const LOW_SECONDS: u32 = 10;

/// The running game.
#[function_component]
pub fn GameScreen(props: &ScreenProps) -> Html {
    let game = &props.game;
    let state = &*game.state;
    let on_command = game.send_checked();
    let watching = WatchingProps {
        text: state.watching().into(),
        on_who: game.command(ClientCommand::Who),
    };
    html! {
        <div class="game">
            <section class="card board" aria-labelledby="board-heading">
                <h2 id="board-heading" class="sr-only">{ "The word" }</h2>
                <div class="turn-row">
                    <p id="turn" class={classes!("turn", state.my_turn.then_some("mine"))} aria-live="polite">{ state.turn_line() }</p>
                    <Countdown deadline={state.turn_deadline} clock={state.now}
                        label={state.countdown_label()} mine={state.my_turn} />
                </div>
                <WordTiles masked={state.masked.clone()} />
                <Keyboard keys={state.keys()} on_letter={game.send.reform(ClientCommand::Letter)} />
                if state.spectator {
                    <p id="spectating" class="muted">{ "You are watching this game." }</p>
                } else {
                    <WordGuess my_turn={state.my_turn} on_command={on_command.clone()} />
                }
            </section>
            <aside class="side">
                <Ring rows={state.player_rows(true)} {watching} vote={state.may_vote()}
                    on_remove={if state.is_host() {
                        Some(game.send.reform(ClientCommand::Kick))
                    } else {
                        state.may_vote().then(|| game.send.reform(ClientCommand::VoteKick))
                    }} />
                <Chat lines={state.chat.clone()} {on_command} />
                <Log lines={state.log.clone()} />
            </aside>
        </div>
    }
}

/// Properties of [`Countdown`].
#[derive(Properties, PartialEq)]
struct CountdownProps {
    /// The page clock when the current turn's time runs out, if it does.
    deadline: Option<u64>,
    /// The page clock when the state last heard from the server.
    clock: u64,
    /// What it counts, in words.
    label: AttrValue,
    /// Whether it counts this player's move.
    mine: bool,
}

/// The seconds left for the current turn, ticking locally between the
/// server's `TurnOf` (or `Snapshot`, or warning) updates.
#[function_component]
fn Countdown(props: &CountdownProps) -> Html {
    let now = use_state(browser::now_ms);
    let active = props.deadline.is_some();
    {
        let now = now.clone();
        use_effect_with(active, move |active| {
            let interval = active
                .then(|| Interval::new(COUNTDOWN_TICK_MS, move || now.set(browser::now_ms())));
            move || drop(interval)
        });
    }
    let Some(deadline) = props.deadline else {
        return html! {};
    };
    // The state's clock is newer when an event came in since the last tick.
    let left = seconds_until(deadline, (*now).max(props.clock));
    html! {
        <span id="countdown" role="timer" aria-label={props.label.clone()} title={props.label.clone()}
            class={classes!("countdown", (left <= LOW_SECONDS).then_some("low"), props.mine.then_some("mine"))}>
            { format!("{left} s") }
        </span>
    }
}

/// Properties of [`Ring`].
#[derive(Properties, PartialEq)]
struct RingProps {
    /// The players in turn order.
    rows: Vec<crate::state::PlayerRow>,
    /// Who is watching.
    watching: WatchingProps,
    /// For the host: removes a player by name; in a quick match: votes
    /// one out.
    on_remove: Option<Callback<String>>,
    /// Whether `on_remove` is a vote.
    vote: bool,
}

/// The players in turn order, with points, host, away and whose turn it
/// is, and who is watching.
#[function_component]
fn Ring(props: &RingProps) -> Html {
    html! {
        <section class="card">
            <h3>{ "Players" }</h3>
            <ol id="players" class="ring">
                <PlayerRows rows={props.rows.clone()} on_remove={props.on_remove.clone()} vote={props.vote} />
            </ol>
            <Watching ..props.watching.clone() />
        </section>
    }
}

/// Properties of [`Keyboard`].
#[derive(Properties, PartialEq)]
struct KeyboardProps {
    /// The alphabet's keys.
    keys: Vec<Key>,
    /// Name a letter.
    on_letter: Callback<String>,
}

/// The alphabet as buttons; the physical keyboard works too on your turn.
#[function_component]
fn Keyboard(props: &KeyboardProps) -> Html {
    {
        // Typing a letter anywhere but in a text field names it.
        use_effect_with(
            (props.keys.clone(), props.on_letter.clone()),
            move |(keys, on_letter)| {
                let keys = keys.clone();
                let on_letter = on_letter.clone();
                let listener = web_sys::window().map(|window| {
                    // Not passive: a named letter's default action is prevented.
                    let options = EventListenerOptions::enable_prevent_default();
                    EventListener::new_with_options(&window, "keydown", options, move |event| {
                        let Some(event) = event.dyn_ref::<KeyboardEvent>() else {
                            return;
                        };
                        let in_field = event
                            .target()
                            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
                            .is_some_and(|element| {
                                matches!(
                                    element.tag_name().as_str(),
                                    "INPUT" | "TEXTAREA" | "SELECT"
                                )
                            });
                        if in_field || event.ctrl_key() || event.meta_key() || event.alt_key() {
                            return;
                        }
                        let key = fold(&event.key());
                        if keys.iter().any(|k| k.letter == key && k.enabled) {
                            event.prevent_default();
                            on_letter.emit(key);
                        }
                    })
                });
                move || drop(listener)
            },
        );
    }
    if props.keys.is_empty() {
        return html! {};
    }
    html! {
        <div id="keyboard" class="keyboard" role="group" aria-label="Letters">
            { for props.keys.iter().map(|key| {
                let onclick = {
                    let letter = key.letter.clone();
                    props.on_letter.reform(move |_: MouseEvent| letter.clone())
                };
                html! {
                    <button type="button" class={classes!("key", key.tried.then_some("tried"))}
                        data-letter={key.letter.clone()} disabled={!key.enabled} {onclick}>
                        // Shown in capitals by the style sheet.
                        { key.letter.clone() }
                    </button>
                }
            }) }
        </div>
    }
}

/// Properties of [`WordGuess`].
#[derive(Properties, PartialEq)]
struct WordGuessProps {
    /// Whether this player may move now.
    my_turn: bool,
    /// Send a guess checked on the page, or show why it is refused.
    on_command: Callback<Result<ClientCommand, String>>,
}

/// The field to guess the whole word.
#[function_component]
fn WordGuess(props: &WordGuessProps) -> Html {
    let input = use_node_ref();
    let my_turn = props.my_turn;
    // A guess sent leaves the field.
    let onsubmit = on_command_submit(
        &input,
        |text| Some(guess_command(text)),
        true,
        &props.on_command,
    );
    html! {
        <form class="row guess" {onsubmit}>
            <label for="word-input" class="sr-only">{ "Guess the whole word" }</label>
            <input id="word-input" ref={input} type="text" placeholder="Guess the whole word"
                autocomplete="off" disabled={!my_turn} />
            <button id="word-button" type="submit" class="primary" disabled={!my_turn}>{ "Guess" }</button>
        </form>
    }
}

/// Properties of [`Log`].
#[derive(Properties, PartialEq)]
struct LogProps {
    /// The human-readable log, oldest first.
    lines: Vec<String>,
}

/// What happened so far, newest first.
#[function_component]
fn Log(props: &LogProps) -> Html {
    html! {
        <section class="card">
            <h3>{ "Game log" }</h3>
            // Focusable, so a keyboard can scroll it.
            <ol id="log" class="log" aria-live="polite" aria-label="Game log" tabindex="0">
                { for props.lines.iter().rev().take(60).map(|line| html! { <li>{ line }</li> }) }
            </ol>
        </section>
    }
}
