//! The results screen.

use yew::prelude::*;

use super::word::WordTiles;
use crate::hooks::GameHandle;

/// Winner, word, scores, and "play again".
#[function_component]
pub fn ResultsScreen() -> Html {
    let game = use_context::<GameHandle>().expect("game context");
    let state = &*game.state;
    let Some(outcome) = state.outcome.clone() else {
        return html! {};
    };
    let headline = match &outcome.winner {
        Some(winner) if state.me.as_ref() == Some(winner) => "You won!".to_owned(),
        Some(winner) => format!("{winner} won!"),
        None => "Nobody guessed the word.".to_owned(),
    };
    let mut scores = outcome.scores.clone();
    scores.sort_by_key(|score| std::cmp::Reverse(score.points));
    let again = {
        let join = game.join.clone();
        let name = state.me.clone().unwrap_or_else(|| state.name.clone());
        Callback::from(move |_: MouseEvent| join.emit(name.clone()))
    };
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
            <button id="play-again" type="button" class="primary" onclick={again} autofocus=true>{ "Play again" }</button>
        </section>
    }
}
