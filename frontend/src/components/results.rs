//! The results screen: winner, word, scores, the room's tally and last
//! games, "play again" (in the same private room, or the next quick match)
//! and the leaderboard.

use yew::prelude::*;

use super::on_click;
use super::records::{LeaderboardButton, RoomRecord};
use super::word::WordTiles;
use crate::hooks::GameHandle;
use crate::state::Action;

/// Winner, word, scores, and what next.
#[function_component]
pub fn ResultsScreen() -> Html {
    let game = use_context::<GameHandle>().expect("game context");
    let state = &*game.state;
    let Some(outcome) = state.outcome.clone() else {
        return html! {};
    };
    let headline = match &outcome.winner {
        Some(winner) if !state.spectator && state.me.as_ref() == Some(winner) => {
            "You won!".to_owned()
        }
        Some(winner) => format!("{winner} won!"),
        None => "Nobody guessed the word.".to_owned(),
    };
    let mut scores = outcome.scores.clone();
    scores.sort_by_key(|score| std::cmp::Reverse(score.points));
    let name = state.chosen_name();
    let again = on_click(
        &game,
        Action::Enter {
            entry: state.play_again(),
            name: name.clone(),
        },
    );
    let again_label = match (state.private_room, state.spectator) {
        (true, true) => "Play in the next game",
        (true, false) => "Play again in this room",
        (false, _) => "Play again",
    };
    let watch_again = state
        .watch_again()
        .filter(|_| state.spectator)
        .map(|entry| on_click(&game, Action::Enter { entry, name }));
    html! {
        <section id="results" class="card results">
            <h2 id="winner">{ headline }</h2>
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
            <RoomRecord />
            <div class="row center">
                <button id="play-again" type="button" class="primary" onclick={again} autofocus=true>{ again_label }</button>
                if let Some(watch_again) = watch_again {
                    <button id="watch-again" type="button" class="secondary" onclick={watch_again}>{ "Keep watching" }</button>
                }
                <LeaderboardButton />
                <button id="leave-room" type="button" class="secondary" onclick={on_click(&game, Action::Leave)}>
                    { "Leave" }
                </button>
            </div>
        </section>
    }
}
