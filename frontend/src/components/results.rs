//! The results screen: winner, word, scores, the room's tally and last
//! games, "play again" (in the same private room, or the next quick match)
//! and the leaderboard.

use yew::prelude::*;

use super::records::{LeaderboardButton, RoomRecord};
use super::word::WordTiles;
use super::{on_click, ScreenProps};
use crate::state::{ranking, Action};

/// Winner, word, scores, and what next.
#[function_component]
pub fn ResultsScreen(props: &ScreenProps) -> Html {
    let game = &props.game;
    let state = &*game.state;
    // The game's fields are gone: focus goes to what comes next, so a
    // keyboard carries on from here (`autofocus` acts only as a page loads).
    let play_again = use_node_ref();
    {
        let play_again = play_again.clone();
        use_effect_with(state.outcome.is_some(), move |_| {
            if let Some(button) = play_again.cast::<web_sys::HtmlElement>() {
                let _ = button.focus();
            }
        });
    }
    let Some(outcome) = state.outcome.clone() else {
        return html! {};
    };
    let scores = ranking(&outcome.scores);
    let name = state.chosen_name();
    let again = game.on(Action::Enter {
        entry: state.play_again(),
        name: name.clone(),
    });
    let watch_again = state
        .watch_again()
        .filter(|_| state.spectator)
        .map(|entry| game.on(Action::Enter { entry, name }));
    html! {
        <section id="results" class="card results">
            <h2 id="winner">{ state.winner_line() }</h2>
            <WordTiles masked={outcome.word.clone()} />
            if outcome.winner.is_some() {
                <p class="muted">{ format!("The winner's prize: {} points.", outcome.prize) }</p>
            }
            <ol id="scores" class="ring">
                { for scores.iter().map(|score| html! {
                    <li class={classes!("player", (outcome.winner.as_ref() == Some(&score.name)).then_some("winner"))}
                        data-name={score.name.clone()}>
                        <span class="name">{ &score.name }</span>
                        <span class="points">{ score.points }</span>
                    </li>
                }) }
            </ol>
            <RoomRecord tally={state.tally.clone()} history={state.history.clone()} />
            <div class="row center">
                <button id="play-again" ref={play_again} type="button" class="primary" onclick={on_click(&again)}>
                    { state.play_again_label() }
                </button>
                if let Some(watch_again) = watch_again {
                    <button id="watch-again" type="button" class="secondary" onclick={on_click(&watch_again)}>{ "Keep watching" }</button>
                }
                <LeaderboardButton on_show={game.on(Action::ShowLeaderboard)} />
                <button id="leave-room" type="button" class="secondary" onclick={on_click(&game.on(Action::Leave))}>
                    { "Leave" }
                </button>
            </div>
        </section>
    }
}
