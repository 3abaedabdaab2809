//! The game screen: the word, the ring, the keyboard, the guess field, the log.

use gloo_events::EventListener;
use wasm_bindgen::JsCast;
use web_sys::{HtmlInputElement, KeyboardEvent};
use wordguess_protocol::{text::is_word, text::letters_of, ClientCommand};
use yew::prelude::*;

use super::word::WordTiles;
use crate::hooks::GameHandle;

/// The running game.
#[function_component]
pub fn GameScreen() -> Html {
    let game = use_context::<GameHandle>().expect("game context");
    let state = &*game.state;
    let turn_text = match (&state.turn, state.my_turn) {
        (_, true) => "Your turn! Pick a letter or guess the word.".to_owned(),
        (Some(name), false) if state.me.as_ref() == Some(name) => "Sending…".to_owned(),
        (Some(name), false) => format!("Waiting for {name}…"),
        (None, false) => String::new(),
    };
    html! {
        <div class="game">
            <section class="card board">
                <p id="turn" class={classes!("turn", state.my_turn.then_some("mine"))} aria-live="polite">{ turn_text }</p>
                <WordTiles masked={state.masked.clone()} />
                <Keyboard />
                <WordGuess />
            </section>
            <aside class="side">
                <Ring />
                <Log />
            </aside>
        </div>
    }
}

/// The players in turn order, with points and whose turn it is.
#[function_component]
fn Ring() -> Html {
    let game = use_context::<GameHandle>().expect("game context");
    let state = &*game.state;
    html! {
        <section class="card">
            <h3>{ "Players" }</h3>
            <ol id="players" class="ring">
                { for state.players.iter().map(|p| {
                    let current = state.turn.as_ref() == Some(&p.name);
                    let me = state.me.as_ref() == Some(&p.name);
                    html! {
                        <li class={classes!("player", current.then_some("current"), me.then_some("me"))}
                            data-name={p.name.clone()} aria-current={current.then_some("true")}>
                            <span class="name">{ &p.name }{ if me { " (you)" } else { "" } }</span>
                            <span class="points">{ p.points }</span>
                        </li>
                    }
                }) }
            </ol>
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
                EventListener::new(&window, "keydown", move |event| {
                    let Some(event) = event.dyn_ref::<KeyboardEvent>() else {
                        return;
                    };
                    let in_field = event
                        .target()
                        .and_then(|t| t.dyn_into::<HtmlInputElement>().ok())
                        .is_some();
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
                game.local_error
                    .emit("A guess is one word of letters only.".to_owned());
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
