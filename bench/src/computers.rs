//! `--computer-games N`: computer players against each other, through the
//! rules alone (no server), over the built-in word lists with fixed seeds.
//! Each pairing of levels plays N games, each level starting half of them,
//! English and Ukrainian words in turn; the bench prints each level's wins,
//! the moves a game takes, and how long one decision takes.

use std::time::{Duration, Instant};

use wordguess_backend::support::words::Language;
use wordguess_backend::WordList;
use wordguess_game::bot::{decide, Level, Sight};
use wordguess_game::{Game, PlayerId, Rules};
use wordguess_protocol::ServerEvent;

/// The two seats' names, in ring order.
const NAMES: [&str; 2] = ["first", "second"];

/// How one game ended: the winning seat (if anyone named the word) and the
/// moves played.
struct Outcome {
    winner: Option<usize>,
    moves: u32,
}

/// Plays `games` games for each pairing of levels and prints the figures.
pub fn run(games: usize) -> anyhow::Result<()> {
    anyhow::ensure!(games > 0, "--computer-games needs at least 1 game");
    let lists = [
        WordList::builtin(Language::En),
        WordList::builtin(Language::Uk),
    ];
    let mut decisions: Vec<Duration> = Vec::new();
    println!(
        "{games} games a pairing, fixed seeds, English and Ukrainian words in turn, each level starting half"
    );
    println!(
        "{:16} {:>9} {:>9} {:>9} {:>13}",
        "pairing", "wins A", "wins B", "nobody", "moves/game"
    );
    for (a, b) in [
        (Level::Hard, Level::Normal),
        (Level::Normal, Level::Easy),
        (Level::Hard, Level::Easy),
    ] {
        let (mut wins, mut nobody, mut moves) = ([0usize; 2], 0usize, 0u64);
        for index in 0..games {
            let seed = u64::try_from(index).unwrap_or(u64::MAX);
            let words = lists[index % 2].words();
            let word = &words[(index / 2).wrapping_mul(7919) % words.len()];
            // A starts the even games of each language, B the odd ones.
            let a_first = (index / 2) % 2 == 0;
            let levels = if a_first { [a, b] } else { [b, a] };
            let outcome = play(word, words, levels, seed, &mut decisions)?;
            moves += u64::from(outcome.moves);
            match outcome.winner {
                Some(seat) if (seat == 0) == a_first => wins[0] += 1,
                Some(_) => wins[1] += 1,
                None => nobody += 1,
            }
        }
        let share = |n: usize| 100.0 * n as f64 / games as f64;
        println!(
            "{:16} {:>8.1}% {:>8.1}% {:>8.1}% {:>13.1}",
            format!("{a} vs {b}"),
            share(wins[0]),
            share(wins[1]),
            share(nobody),
            moves as f64 / games as f64
        );
    }
    decisions.sort_unstable();
    let at = |q: f64| decisions[((decisions.len() - 1) as f64 * q) as usize];
    println!(
        "one decision: p50 {:?}, p99 {:?}, max {:?} ({} decisions)",
        at(0.5),
        at(0.99),
        at(1.0),
        decisions.len()
    );
    Ok(())
}

/// One game of `word` between computer players of `levels` (in ring
/// order), each decision timed into `decisions`.
fn play(
    word: &str,
    words: &[String],
    levels: [Level; 2],
    seed: u64,
    decisions: &mut Vec<Duration>,
) -> anyhow::Result<Outcome> {
    let now = Instant::now();
    let rules = Rules::quick_match(2, None, Duration::from_secs(120));
    let mut game = Game::new(word, rules).map_err(|error| anyhow::anyhow!("{error:?}"))?;
    let seats = [PlayerId(1), PlayerId(2)];
    for (seat, name) in seats.iter().zip(NAMES) {
        game.join(*seat, name, now)
            .map_err(|error| anyhow::anyhow!("{error}"))?;
    }
    let mut moves = 0;
    while let Some(current) = game.current_player() {
        let seat = usize::from(current == seats[1]);
        let (masked, tried) = (game.masked(), game.tried().to_vec());
        let sight = Sight {
            masked: &masked,
            tried: &tried,
            alphabet: game.alphabet(),
            words,
        };
        let started = Instant::now();
        let choice = decide(
            levels[seat],
            &sight,
            seed.wrapping_mul(1_000).wrapping_add(u64::from(moves)),
        );
        decisions.push(started.elapsed());
        moves += 1;
        for delivery in game.play(current, choice, now) {
            if let ServerEvent::GameOver { winner, .. } = delivery.event {
                let winner = winner.and_then(|name| NAMES.iter().position(|n| *n == name));
                return Ok(Outcome { winner, moves });
            }
        }
        anyhow::ensure!(
            moves < 1_000,
            "a game of computer players did not end: {word}"
        );
    }
    anyhow::bail!("the game of {word} never started")
}
