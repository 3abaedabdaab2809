//! The game screen: the word, whose turn with its countdown, the keyboard,
//! the guess field, the ring, the chat and the log. Spectators see the same
//! without the means to move.

use gloo_events::{EventListener, EventListenerOptions};
use gloo_timers::callback::Interval;
use wasm_bindgen::JsCast;
use web_sys::KeyboardEvent;
use wordguess_protocol::{text::is_word, text::letters_of, ClientCommand};
use yew::prelude::*;

use super::chat::Chat;
use super::room::{player_rows, Watching};
use super::word::WordTiles;
use crate::hooks::{browser, GameHandle};
use crate::state::Action;

/// How often the countdown looks at the clock (it shows whole seconds).
const COUNTDOWN_TICK_MS: u32 = 250;
/// From this many seconds on, the countdown turns urgent.
const LOW_SECONDS: u32 = 10;

/// The running game.
#[function_component]
pub fn GameScreen() -> Html {
    let game = use_context::<GameHandle>().expect("game context");
    let state = &*game.state;
    html! {
        <div class="game">
            <section class="card board">
                <div class="turn-row">
                    <p id="turn" class={classes!("turn", state.my_turn.then_some("mine"))} aria-live="polite">{ state.turn_line() }</p>
                    <Countdown />
                </div>
                <WordTiles masked={state.masked.clone()} />
                <Keyboard />
                if state.spectator {
                    <p id="spectating" class="muted">{ "You are watching this game." }</p>
                } else {
                    <WordGuess />
                }
            </section>
            <aside class="side">
                <Ring />
                <Chat />
                <Log />
            </aside>
        </div>
    }
}

/// The seconds left for the current turn, ticking locally between the
/// server's `TurnOf` (or `Snapshot`, or warning) updates.
#[function_component]
fn Countdown() -> Html {
    let game = use_context::<GameHandle>().expect("game context");
    let now = use_state(browser::now_ms);
    let active = game.state.turn_deadline.is_some();
    {
        let now = now.clone();
        use_effect_with(active, move |active| {
            let interval = active
                .then(|| Interval::new(COUNTDOWN_TICK_MS, move || now.set(browser::now_ms())));
            move || drop(interval)
        });
    }
    let state = &*game.state;
    // The state's clock is newer when an event came in since the last tick.
    let Some(left) = state.seconds_left((*now).max(state.now)) else {
        return html! {};
    };
    let whose = match &state.turn {
        _ if state.my_turn => "Time left for your move".to_owned(),
        Some(name) => format!("Time left for {name}'s move"),
        None => "Time left".to_owned(),
    };
    html! {
        <span id="countdown" role="timer" aria-label={whose.clone()} title={whose}
            class={classes!("countdown", (left <= LOW_SECONDS).then_some("low"), state.my_turn.then_some("mine"))}>
            { format!("{left} s") }
        </span>
    }
}

/// The players in turn order, with points, host, away and whose turn it
/// is, and who is watching.
#[function_component]
fn Ring() -> Html {
    let game = use_context::<GameHandle>().expect("game context");
    html! {
        <section class="card">
            <h3>{ "Players" }</h3>
            <ol id="players" class="ring">{ player_rows(&game.state, true) }</ol>
            <Watching />
        </section>
    }
}

/// The alphabet as buttons; the physical keyboard works too on your turn.
#[function_component]
fn Keyboard() -> Html {
    let game = use_context::<GameHandle>().expect("game context");
    let state = &*game.state;
    let letters = letters_of(&state.alphabet).unwrap_or_default();
    {
        // Typing a letter anywhere but in a text field names it.
        let game = game.clone();
        let letters = letters.clone();
        use_effect_with((game.state.clone(), letters), move |(state, letters)| {
            let state = state.clone();
            let letters = letters.clone();
            let send = game.send.clone();
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
                            matches!(element.tag_name().as_str(), "INPUT" | "TEXTAREA" | "SELECT")
                        });
                    if in_field || event.ctrl_key() || event.meta_key() || event.alt_key() {
                        return;
                    }
                    let key = event.key().to_lowercase();
                    if letters.contains(&key) && state.can_name(&key) {
                        event.prevent_default();
                        send.emit(ClientCommand::Letter(key));
                    }
                })
            });
            move || drop(listener)
        });
    }
    if letters.is_empty() {
        return html! {};
    }
    html! {
        <div id="keyboard" class="keyboard" role="group" aria-label="Letters">
            { for letters.into_iter().map(|letter| {
                let enabled = state.can_name(&letter);
                let tried = state.tried.contains(&letter);
                let onclick = {
                    let send = game.send.clone();
                    let letter = letter.clone();
                    Callback::from(move |_: MouseEvent| send.emit(ClientCommand::Letter(letter.clone())))
                };
                html! {
                    <button type="button" class={classes!("key", tried.then_some("tried"))}
                        data-letter={letter.clone()} disabled={!enabled} {onclick}>
                        { letter.to_uppercase() }
                    </button>
                }
            }) }
        </div>
    }
}

/// The field to guess the whole word.
#[function_component]
fn WordGuess() -> Html {
    let game = use_context::<GameHandle>().expect("game context");
    let input = use_node_ref();
    let my_turn = game.state.my_turn;
    let onsubmit = {
        let game = game.clone();
        super::on_field_submit(&input, move |field| {
            let guess = field.value().trim().to_owned();
            if !is_word(&guess) {
                game.state.dispatch(Action::LocalError(
                    "A guess is one word of letters only.".to_owned(),
                ));
                return;
            }
            field.set_value("");
            game.send.emit(ClientCommand::Word(guess));
        })
    };
    html! {
        <form class="row guess" {onsubmit}>
            <label for="word-input" class="sr-only">{ "Guess the whole word" }</label>
            <input id="word-input" ref={input} type="text" placeholder="Guess the whole word"
                autocomplete="off" disabled={!my_turn} />
            <button id="word-button" type="submit" class="primary" disabled={!my_turn}>{ "Guess" }</button>
        </form>
    }
}

/// What happened so far, newest first.
#[function_component]
fn Log() -> Html {
    let game = use_context::<GameHandle>().expect("game context");
    html! {
        <section class="card">
            <h3>{ "Game log" }</h3>
            <ol id="log" class="log" aria-live="polite">
                { for game.state.log.iter().rev().take(60).map(|line| html! { <li>{ line }</li> }) }
            </ol>
        </section>
    }
}
