//! A random sequence of rule inputs (join, start, letters, words,
//! disconnect, resume, leave, time passing, timeouts, a restart that saves
//! and restores the game) on one game, with the game's invariants checked
//! after every step.
//!
//! - No input panics (no overflow or underflow of points, no index out of
//!   the ring), and every delivery renders as text. A computer player (any
//!   level, any seed) never names a letter that was tried.
//! - While playing there is exactly one player to move and it is seated;
//!   when any person's seat is present, the mover is not away (unless a
//!   restored game holds the turn for it); the last `/turn` of a step goes
//!   to the mover.
//! - Computer players: a computer player is never away and never the host,
//!   joins only a game with a person, moves only while a person is present,
//!   and its move is always one the rules take; a game in play always has
//!   a person seated. Outside play nobody is to move. Saving a restored game gives
//!   back what was saved. A move made while `Game::is_replayable` holds,
//!   replayed with `Game::replay` on the game saved before it, gives the
//!   game saved after it (the server logs such moves alone).
//! - The ring keeps its order: a step only appends the one seat that joined
//!   or removes seats (each named in a `Left` event).
//! - Points never go down, except that a wrong word sets them to 0; the
//!   totals in `LetterNamed` and `WordNamed` are the seats' points (plus the
//!   prize for the winner), and `GameOver`'s scores are the seats' points.
//! - Time: after `handle_timeout(now)`, `poll_timeout()` is never at or
//!   before `now` (a deadline in the past that the game then ignores would
//!   make the room actor spin or stall); while playing with a turn limit,
//!   or with an away seat, there is always a deadline.
#![no_main]

use std::sync::OnceLock;
use std::time::{Duration, Instant};

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use wordguess_game::bot::{decide, Level, Sight};
use wordguess_game::{Delivery, Game, Move, Phase, PlayerId, Recipient, Rules, StartRule};
use wordguess_protocol::{
    text::{fold, letters_of},
    LetterOutcome, ServerEvent,
};

/// Names, including a case variant and a Cyrillic look-alike of "ann".
const NAMES: [&str; 8] = ["ann", "bob", "cid", "dee", "eve", "ANN", "\u{430}nn", "Bob"];
/// Letters of the words and a few that are not in them.
const LETTERS: [&str; 8] = ["a", "b", "c", "x", "B", "s", "-", "'"];
/// Guesses: the words themselves (any case), near misses and non-words.
const GUESSES: [&str; 9] = [
    "abcab", "ABCAB", "abcaa", "ab-cab", "a", "b", "", "a b", "Cab’s",
];
/// The puzzle words.
const WORDS: [&str; 4] = ["abcab", "ab-cab", "a", "cab's"];

#[derive(Debug, Arbitrary)]
enum Op {
    Join {
        id: u8,
        name: u8,
    },
    Start {
        id: u8,
    },
    Letter {
        id: u8,
        letter: u8,
    },
    /// The mover names a letter (most moves in a real game are in turn).
    MoverLetter {
        letter: u8,
    },
    Word {
        id: u8,
        guess: u8,
    },
    MoverWord {
        guess: u8,
    },
    /// The mover is a computer player: its level decides, from what every
    /// player sees, with the puzzle words as the room's list.
    MoverComputer {
        level: u8,
        seed: u64,
    },
    /// A computer player takes a seat.
    JoinComputer {
        id: u8,
        name: u8,
        level: u8,
    },
    /// The game's own computer player to move (if any) makes its move, as
    /// the room makes it.
    ComputerMove {
        seed: u64,
    },
    Disconnect {
        id: u8,
    },
    Resume {
        id: u8,
    },
    Leave {
        id: u8,
    },
    /// Time passes (milliseconds, up to about a minute).
    Advance {
        millis: u16,
    },
    /// Time passes by whole minutes.
    AdvanceMinutes {
        minutes: u8,
    },
    /// `handle_timeout` now, due or not.
    Timeout,
    /// What the room actor does: sleep until `poll_timeout()`, then wake.
    Wake,
    /// The server restarts: the game is saved and restored (every seat
    /// away, the turn held for its mover).
    Restart,
}

#[derive(Debug, Arbitrary)]
struct Script {
    host_starts: bool,
    players_to_start: u8,
    turn_time: u8,
    grace: u8,
    word: u8,
    ops: Vec<Op>,
}

fn pick<T: Copy>(items: &[T], index: u8) -> T {
    items[usize::from(index) % items.len()]
}

/// Plays `mv` for `id`, checking that a move the game lets the server log
/// alone replays to the same game.
fn play_and_replay(game: &mut Game, id: PlayerId, mv: Move, now: Instant) -> Vec<Delivery> {
    let before = game.is_replayable().then(|| game.save());
    let moves = game.moves();
    let out = game.play(id, mv.clone(), now);
    if let Some(before) = before.filter(|_| game.moves() == moves + 1) {
        assert_eq!(
            Game::replay(before, id, mv, now),
            Ok(game.save()),
            "a replayed move gives another game"
        );
    }
    out
}

fn player(id: u8) -> PlayerId {
    PlayerId(u64::from(id % 6))
}

fn base() -> Instant {
    static BASE: OnceLock<Instant> = OnceLock::new();
    *BASE.get_or_init(Instant::now)
}

/// What the checks remember from one step to the next.
struct Seen {
    names: Vec<String>,
    points: Vec<u32>,
}

fn seen(game: &Game) -> Seen {
    let seats = game.seats();
    Seen {
        names: seats.iter().map(|s| s.name.clone()).collect(),
        points: seats.iter().map(|s| s.points).collect(),
    }
}

fn is_subsequence(small: &[String], big: &[String]) -> bool {
    let mut big = big.iter();
    small.iter().all(|name| big.any(|other| other == name))
}

fn check(game: &Game, rules: &Rules, before: &Seen, joined: Option<&str>, out: &[Delivery]) {
    let after = seen(game);
    // Only formatted when a check fails.
    let step = || {
        format!(
            "before {:?}, after {:?}, out {out:#?}",
            before.names, after.names
        )
    };

    // Every event renders (event_json covers the JSON form).
    for delivery in out {
        let _ = delivery.event.to_text();
    }

    // The ring keeps its order.
    let left: Vec<&str> = out
        .iter()
        .filter_map(|d| match &d.event {
            ServerEvent::Left { name } => Some(name.as_str()),
            _ => None,
        })
        .collect();
    match joined {
        Some(name) => {
            let mut expected = before.names.clone();
            expected.push(name.to_owned());
            assert_eq!(after.names, expected, "a join changed the ring: {}", step());
        }
        None => {
            assert!(
                is_subsequence(&after.names, &before.names),
                "the ring was reordered: {}",
                step()
            );
            let mut gone: Vec<&str> = before
                .names
                .iter()
                .filter(|n| !after.names.contains(n))
                .map(String::as_str)
                .collect();
            let mut left_sorted = left.clone();
            gone.sort_unstable();
            left_sorted.sort_unstable();
            assert_eq!(
                gone,
                left_sorted,
                "seats removed without Left, or Left without removal: {}",
                step()
            );
        }
    }

    // Points: the events' totals, monotonic except a wrong word.
    let old = |name: &str| {
        before
            .names
            .iter()
            .position(|n| n == name)
            .map_or(0, |i| before.points[i])
    };
    let now_points = |name: &str| {
        after
            .names
            .iter()
            .position(|n| n == name)
            .map(|i| after.points[i])
    };
    let mut last_total: Option<(&str, u32)> = None;
    let mut prize_to: Option<(&str, u32)> = None;
    for delivery in out {
        match &delivery.event {
            ServerEvent::LetterNamed {
                name,
                outcome,
                total,
                ..
            } => {
                let expected = match outcome {
                    LetterOutcome::Hit { count } => {
                        assert!(*count > 0, "a hit of 0: {}", step());
                        old(name) + count
                    }
                    LetterOutcome::Miss | LetterOutcome::Repeated => old(name),
                };
                assert_eq!(*total, expected, "LetterNamed total: {}", step());
                last_total = Some((name, *total));
            }
            ServerEvent::WordNamed {
                name,
                correct,
                earned,
                total,
                ..
            } => {
                if *correct {
                    assert_eq!(*total, old(name) + earned, "WordNamed total: {}", step());
                } else {
                    assert_eq!((*earned, *total), (0, 0), "a wrong word scores: {}", step());
                }
                last_total = Some((name, *total));
            }
            ServerEvent::GameOver {
                winner,
                prize,
                scores,
                word,
            } => {
                let letters = letters_of(word).expect("the word is a word");
                let expected_prize = letters.iter().filter(|l| *l != "'" && *l != "-").count();
                assert_eq!(*prize as usize, expected_prize, "prize: {}", step());
                let seats: Vec<(String, u32)> = after
                    .names
                    .iter()
                    .cloned()
                    .zip(after.points.iter().copied())
                    .collect();
                let scores: Vec<(String, u32)> =
                    scores.iter().map(|s| (s.name.clone(), s.points)).collect();
                assert_eq!(
                    scores,
                    seats,
                    "GameOver scores are not the seats' points: {}",
                    step()
                );
                if let Some(winner) = winner {
                    prize_to = Some((winner, *prize));
                }
            }
            _ => {}
        }
    }
    if let Some((name, total)) = last_total {
        let bonus = prize_to.filter(|(w, _)| *w == name).map_or(0, |(_, p)| p);
        assert_eq!(
            now_points(name),
            Some(total + bonus),
            "the seat's points differ from the event: {}",
            step()
        );
    }
    let wrong_word = out.iter().find_map(|d| match &d.event {
        ServerEvent::WordNamed {
            name,
            correct: false,
            ..
        } => Some(name.as_str()),
        _ => None,
    });
    for (name, &points) in after.names.iter().zip(&after.points) {
        if wrong_word != Some(name.as_str()) {
            assert!(points >= old(name), "{name}'s points went down: {}", step());
        }
    }

    for seat in game.seats().iter().filter(|s| s.computer.is_some()) {
        assert!(
            !seat.away && !seat.host,
            "computer player {} is away or hosts: {}",
            seat.name,
            step()
        );
    }

    // Exactly one mover while playing, seated, present if anyone is.
    let phase = game.phase();
    let mover = game.current_player();
    if phase == Phase::Playing {
        let mover = mover.unwrap_or_else(|| panic!("playing without a mover: {}", step()));
        assert!(game.is_seated(mover), "the mover has no seat: {}", step());
        let seats = game.seats();
        assert!(
            seats.iter().any(|s| s.computer.is_none()),
            "computer players play by themselves: {}",
            step()
        );
        // (A restored game holds the turn for its away mover.)
        if seats.iter().any(|s| !s.away && s.computer.is_none()) && !game.holds_turn() {
            assert!(
                !game.is_away(mover),
                "the mover is away while others are present: {}",
                step()
            );
        }
        let last_turn = out.iter().rev().find_map(|d| match (&d.event, d.to) {
            (ServerEvent::YourTurn, Recipient::Only(id)) => Some(id),
            _ => None,
        });
        if let Some(id) = last_turn {
            assert_eq!(
                id,
                mover,
                "/turn went to someone else than the mover: {}",
                step()
            );
        }
        let last_turn_of = out.iter().rev().find_map(|d| match &d.event {
            ServerEvent::TurnOf { name, .. } => Some(name.as_str()),
            _ => None,
        });
        if let Some(name) = last_turn_of {
            assert_eq!(
                Some(name),
                game.name_of(mover),
                "TurnOf names someone else than the mover: {}",
                step()
            );
        }
        if rules.turn_time.is_some() && seats.iter().any(|s| !s.away)
            || seats.iter().any(|s| s.away)
        {
            assert!(
                game.poll_timeout().is_some(),
                "no deadline while one is due: {}",
                step()
            );
        }
    } else {
        assert_eq!(mover, None, "a mover outside play: {}", step());
    }
}

fuzz_target!(|script: Script| {
    let turn_time = match script.turn_time % 5 {
        0 => None,
        1 => Some(Duration::from_secs(1)),
        2 => Some(Duration::from_secs(5)),
        3 => Some(Duration::from_secs(60)),
        _ => Some(Duration::from_secs(120)),
    };
    let grace = Duration::from_secs(match script.grace % 4 {
        0 => 0,
        1 => 1,
        2 => 30,
        _ => 120,
    });
    let start = if script.host_starts {
        StartRule::ByHost
    } else {
        StartRule::WhenFull(usize::from(script.players_to_start % 4) + 1)
    };
    let rules = Rules {
        start,
        turn_time,
        resume_grace: grace,
    };
    let mut game = Game::new(pick(&WORDS, script.word), rules).expect("a valid word");
    let mut now = base();

    for op in script.ops.into_iter().take(200) {
        let before = seen(&game);
        let mut joined = None;
        let out = match op {
            Op::Join { id, name } => {
                let name = pick(&NAMES, name);
                match game.join(player(id), name, now) {
                    Ok(out) => {
                        joined = Some(name);
                        out
                    }
                    Err(_) => Vec::new(),
                }
            }
            Op::Start { id } => game.start(player(id), now).unwrap_or_default(),
            Op::Letter { id, letter } => play_and_replay(
                &mut game,
                player(id),
                Move::Letter(fold(pick(&LETTERS, letter))),
                now,
            ),
            Op::MoverLetter { letter } => match game.current_player() {
                Some(id) => play_and_replay(
                    &mut game,
                    id,
                    Move::Letter(fold(pick(&LETTERS, letter))),
                    now,
                ),
                None => Vec::new(),
            },
            Op::Word { id, guess } => play_and_replay(
                &mut game,
                player(id),
                Move::Word(pick(&GUESSES, guess).to_owned()),
                now,
            ),
            Op::MoverWord { guess } => match game.current_player() {
                Some(id) => play_and_replay(
                    &mut game,
                    id,
                    Move::Word(pick(&GUESSES, guess).to_owned()),
                    now,
                ),
                None => Vec::new(),
            },
            Op::MoverComputer { level, seed } => match game.current_player() {
                Some(id) => {
                    let (masked, tried) = (game.masked(), game.tried().to_vec());
                    let words: Vec<String> = WORDS.iter().map(|w| (*w).to_owned()).collect();
                    let sight = Sight {
                        masked: &masked,
                        tried: &tried,
                        alphabet: game.alphabet(),
                        words: &words,
                    };
                    let level = Level::ALL[usize::from(level) % Level::ALL.len()];
                    let choice = decide(level, &sight, seed);
                    if let Move::Letter(letter) = &choice {
                        assert!(!tried.contains(letter), "{level} named {letter} again");
                    }
                    play_and_replay(&mut game, id, choice, now)
                }
                None => Vec::new(),
            },
            Op::JoinComputer { id, name, level } => {
                let name = pick(&NAMES, name);
                let level = Level::ALL[usize::from(level) % Level::ALL.len()];
                let people = game.seats().iter().any(|s| s.computer.is_none());
                match game.join_computer(player(id), name, level, now) {
                    Ok(out) => {
                        assert!(people, "a computer player joined a game of nobody");
                        joined = Some(name);
                        out
                    }
                    Err(_) => Vec::new(),
                }
            }
            Op::ComputerMove { seed } => {
                let words: Vec<String> = WORDS.iter().map(|w| (*w).to_owned()).collect();
                match game.computer_move(&words, seed) {
                    Some((id, choice)) => {
                        let present = game
                            .seats()
                            .iter()
                            .any(|s| s.computer.is_none() && !s.away);
                        assert!(present, "a computer player moves with nobody here");
                        let moves = game.moves();
                        let out = play_and_replay(&mut game, id, choice, now);
                        assert_eq!(game.moves(), moves + 1, "the rules refused a computer's move");
                        out
                    }
                    None => Vec::new(),
                }
            }
            Op::Disconnect { id } => game.disconnect(player(id), now),
            Op::Resume { id } => game.resume(player(id), now),
            Op::Leave { id } => game.leave(player(id), now),
            Op::Advance { millis } => {
                now += Duration::from_millis(u64::from(millis));
                Vec::new()
            }
            Op::AdvanceMinutes { minutes } => {
                now += Duration::from_secs(60 * u64::from(minutes % 8));
                Vec::new()
            }
            Op::Restart => {
                let saved = game.save();
                game = Game::restore(saved.clone(), rules.resume_grace, now)
                    .expect("a saved game restores");
                assert_eq!(game.save(), saved, "save, restore, save changed the game");
                Vec::new()
            }
            Op::Timeout | Op::Wake => {
                if matches!(op, Op::Wake) {
                    if let Some(at) = game.poll_timeout() {
                        now = now.max(at);
                    }
                }
                let out = game.handle_timeout(now);
                if let Some(at) = game.poll_timeout() {
                    assert!(
                        at > now,
                        "poll_timeout is {:?} at or before now after handle_timeout (phase {:?})",
                        now.saturating_duration_since(at),
                        game.phase()
                    );
                }
                out
            }
        };
        check(&game, &rules, &before, joined, &out);
    }
});
