//! What the server remembers: the leaderboard (opened from the join and
//! results screens) and the room's record (its tally and last games, in the
//! waiting room and on the results screen).

use wordguess_protocol::history::utc_minute;
use wordguess_protocol::{GameRecord, ServerEvent, Standing};
use yew::prelude::*;

use super::on_click;
use crate::state::records::{game_scores, Remote};
use crate::state::Tally;

/// Properties of [`LeaderboardButton`].
#[derive(Properties, PartialEq)]
pub struct LeaderboardButtonProps {
    /// Show the leaderboard (fetched afresh).
    pub on_show: Callback<()>,
}

/// The button that opens (or refreshes) the leaderboard.
#[function_component]
pub fn LeaderboardButton(props: &LeaderboardButtonProps) -> Html {
    html! {
        <button id="show-leaderboard" type="button" class="secondary"
            onclick={on_click(&props.on_show)}>{ "Leaderboard" }</button>
    }
}

/// Properties of [`LeaderboardPanel`].
#[derive(Properties, PartialEq)]
pub struct LeaderboardPanelProps {
    /// The leaderboard, while it is shown (nothing is shown without it).
    pub board: Option<Remote<Vec<Standing>>>,
    /// Hide the leaderboard.
    pub on_hide: Callback<()>,
}

/// The leaderboard, while it is shown: rank, name, wins, points, games.
#[function_component]
pub fn LeaderboardPanel(props: &LeaderboardPanelProps) -> Html {
    let Some(board) = props.board.clone() else {
        return html! {};
    };
    let body = match board {
        Remote::Loading(_) => html! { <p class="muted">{ "Loading…" }</p> },
        Remote::Failed(reason) => html! {
            <p id="leaderboard-error" class="muted" role="alert">
                { format!("The leaderboard is not available: {reason}.") }
            </p>
        },
        Remote::Ready(players) if players.is_empty() => html! {
            <p id="leaderboard-empty" class="muted">{ "No games have been played yet." }</p>
        },
        Remote::Ready(players) => standings(&players),
    };
    html! {
        <section id="leaderboard" class="card records">
            <div class="records-head">
                <h2>{ "Leaderboard" }</h2>
                <button id="hide-leaderboard" type="button" class="link"
                    onclick={on_click(&props.on_hide)} aria-label="Close the leaderboard">{ "✕" }</button>
            </div>
            { body }
        </section>
    }
}

fn standings(players: &[Standing]) -> Html {
    html! {
        <table id="standings" class="standings">
            <thead>
                <tr>
                    <th scope="col">{ "#" }</th>
                    <th scope="col">{ "Player" }</th>
                    <th scope="col">{ "Wins" }</th>
                    <th scope="col">{ "Points" }</th>
                    <th scope="col">{ "Games" }</th>
                </tr>
            </thead>
            <tbody>
                { for players.iter().enumerate().map(|(index, player)| html! {
                    <tr data-name={player.name.clone()}>
                        <td class="rank">{ index + 1 }</td>
                        <td class="name">{ &player.name }</td>
                        <td class="wins">{ player.wins }</td>
                        <td class="points">{ player.points }</td>
                        <td class="games">{ player.games }</td>
                    </tr>
                }) }
            </tbody>
        </table>
    }
}

/// Properties of [`RoomRecord`].
#[derive(Properties, PartialEq)]
pub struct RoomRecordProps {
    /// The room's finished games, once it has finished one.
    pub tally: Option<Tally>,
    /// The room's last games, newest first.
    pub history: Option<Remote<Vec<GameRecord>>>,
}

/// The room's tally of wins and its last games, once it has finished one.
#[function_component]
pub fn RoomRecord(props: &RoomRecordProps) -> Html {
    let Some(tally) = props.tally.clone() else {
        return html! {};
    };
    let tally = ServerEvent::Tally {
        games: tally.games,
        wins: tally.wins,
    };
    html! {
        <>
            <p id="tally" class="muted">{ tally.to_text().trim_end() }</p>
            <RoomHistory history={props.history.clone()} />
        </>
    }
}

/// Properties of [`RoomHistory`].
#[derive(Properties, PartialEq)]
struct RoomHistoryProps {
    /// The room's last games, newest first.
    history: Option<Remote<Vec<GameRecord>>>,
}

/// The room's last games, newest first, once the room has finished one.
#[function_component]
fn RoomHistory(props: &RoomHistoryProps) -> Html {
    let Some(history) = props.history.clone() else {
        return html! {};
    };
    let body = match history {
        Remote::Loading(_) => return html! {},
        Remote::Failed(reason) => html! {
            <p class="muted small">{ format!("The room's last games are not available: {reason}.") }</p>
        },
        Remote::Ready(games) => html! {
            <ol class="history-list">{ for games.iter().map(game_row) }</ol>
        },
    };
    html! {
        <section id="history" class="history">
            <h3>{ "Last games in this room" }</h3>
            { body }
        </section>
    }
}

fn game_row(game: &GameRecord) -> Html {
    let winner = game
        .winner
        .as_ref()
        .map_or_else(|| "nobody won".to_owned(), |name| format!("won by {name}"));
    let moves = if game.moves == 1 { "move" } else { "moves" };
    html! {
        <li data-word={game.word.clone()}>
            <span class="word">{ &game.word }</span>
            { format!(" — {winner}: {} · {} {moves}", game_scores(game), game.moves) }
            <span class="when muted small">{ utc_minute(game.ended_at) }</span>
        </li>
    }
}
