//! One test per rule of SPEC section 1, named after the rule.

use super::*;
use crate::bot::Level;
use proptest::prelude::*;

const A: PlayerId = PlayerId(1);
const B: PlayerId = PlayerId(2);
const C: PlayerId = PlayerId(3);

/// The simulated clock's start: every test runs on made-up instants.
fn now() -> Instant {
    use std::sync::OnceLock;
    static START: OnceLock<Instant> = OnceLock::new();
    *START.get_or_init(Instant::now)
}

fn at(seconds: u64) -> Instant {
    now() + Duration::from_secs(seconds)
}

const MINUTE: Duration = Duration::from_secs(60);

fn quick(players: usize) -> Rules {
    Rules::quick_match(players, Some(MINUTE), Duration::from_secs(120))
}

fn game_with(word: &str, players: &[(PlayerId, &str)]) -> Game {
    let mut game = Game::new(word, quick(players.len())).unwrap();
    for (id, name) in players {
        game.join(*id, name, now()).unwrap();
    }
    game
}

fn letter(l: &str) -> Move {
    Move::Letter(l.to_owned())
}

fn word(w: &str) -> Move {
    Move::Word(w.to_owned())
}

fn events_for(out: &[Delivery], id: PlayerId) -> Vec<ServerEvent> {
    out.iter()
        .filter(|d| d.to == Recipient::All || d.to == Recipient::Only(id))
        .map(|d| d.event.clone())
        .collect()
}

fn points(game: &Game, id: PlayerId) -> u32 {
    game.ring.iter().find(|p| p.id == id).unwrap().points
}

fn final_scores(out: &[Delivery]) -> (Option<String>, Vec<(String, u32)>) {
    out.iter()
        .find_map(|d| match &d.event {
            ServerEvent::GameOver { winner, scores, .. } => Some((
                winner.clone(),
                scores.iter().map(|s| (s.name.clone(), s.points)).collect(),
            )),
            _ => None,
        })
        .expect("the game is over")
}

#[test]
fn game_starts_when_enough_players_joined_showing_the_masked_word() {
    let mut game = Game::new("apple", quick(2)).unwrap();
    let out = game.join(A, "alice", now()).unwrap();
    assert_eq!(game.phase(), Phase::Gathering);
    assert!(out.iter().any(|d| matches!(&d.event,
        ServerEvent::Joined { name, needed: 2, .. } if name == "alice")));
    let out = game.join(B, "bob", now()).unwrap();
    assert_eq!(game.phase(), Phase::Playing);
    assert!(out.iter().any(|d| matches!(&d.event,
        ServerEvent::Started { masked, alphabet, .. } if masked == "*****" && alphabet == ENGLISH_ALPHABET)));
}

#[test]
fn the_first_to_join_moves_first_and_only_it_gets_turn() {
    let mut game = Game::new("apple", quick(2)).unwrap();
    game.join(A, "alice", now()).unwrap();
    let out = game.join(B, "bob", now()).unwrap();
    assert!(events_for(&out, A).contains(&ServerEvent::YourTurn));
    assert!(!events_for(&out, B).contains(&ServerEvent::YourTurn));
    assert!(events_for(&out, B).contains(&ServerEvent::TurnOf {
        name: "alice".into(),
        seconds: Some(60),
    }));
}

#[test]
fn players_move_in_ring_order_and_the_ring_wraps() {
    let mut game = game_with("apple", &[(A, "a"), (B, "b"), (C, "c")]);
    assert_eq!(game.current_player(), Some(A));
    game.play(A, letter("z"), now());
    assert_eq!(game.current_player(), Some(B));
    game.play(B, letter("y"), now());
    assert_eq!(game.current_player(), Some(C));
    game.play(C, letter("x"), now());
    assert_eq!(game.current_player(), Some(A));
}

#[test]
fn letter_not_in_the_word_passes_the_turn_without_points() {
    let mut game = game_with("apple", &[(A, "a"), (B, "b")]);
    let out = game.play(A, letter("z"), now());
    assert_eq!(points(&game, A), 0);
    assert_eq!(game.current_player(), Some(B));
    assert!(events_for(&out, B).contains(&ServerEvent::YourTurn));
    assert!(out.iter().any(|d| matches!(
        &d.event,
        ServerEvent::LetterNamed {
            outcome: LetterOutcome::Miss,
            ..
        }
    )));
}

#[test]
fn letter_in_the_word_reveals_every_occurrence_scores_each_and_keeps_the_turn() {
    let mut game = game_with("apple", &[(A, "a"), (B, "b")]);
    let out = game.play(A, letter("p"), now());
    assert_eq!(points(&game, A), 2);
    assert_eq!(game.masked(), "*pp**");
    assert_eq!(game.current_player(), Some(A));
    assert!(events_for(&out, A).contains(&ServerEvent::YourTurn));
    assert!(events_for(&out, B).contains(&ServerEvent::WordState {
        masked: "*pp**".into()
    }));
}

#[test]
fn revealing_the_last_letter_makes_the_winner_who_gets_the_prize() {
    let mut game = game_with("aa", &[(A, "a"), (B, "b")]);
    let out = game.play(A, letter("a"), now());
    assert_eq!(game.phase(), Phase::Over);
    let (winner, scores) = final_scores(&out);
    assert_eq!(winner.as_deref(), Some("a"));
    // 2 occurrences + a prize of 2 letters.
    assert_eq!(scores, vec![("a".into(), 4), ("b".into(), 0)]);
}

#[test]
fn a_letter_already_revealed_earns_nothing_and_passes_the_turn() {
    let mut game = game_with("apple", &[(A, "a"), (B, "b")]);
    game.play(A, letter("p"), now());
    let out = game.play(A, letter("P"), now());
    assert_eq!(points(&game, A), 2);
    assert_eq!(game.current_player(), Some(B));
    assert!(out.iter().any(|d| matches!(
        &d.event,
        ServerEvent::LetterNamed {
            outcome: LetterOutcome::Repeated,
            ..
        }
    )));
}

#[test]
fn a_letter_already_missed_earns_nothing_and_passes_the_turn() {
    let mut game = game_with("apple", &[(A, "a"), (B, "b")]);
    game.play(A, letter("z"), now());
    let out = game.play(B, letter("z"), now());
    assert_eq!(game.current_player(), Some(A));
    assert!(out.iter().any(|d| matches!(
        &d.event,
        ServerEvent::LetterNamed {
            outcome: LetterOutcome::Repeated,
            ..
        }
    )));
}

#[test]
fn a_wrong_word_cancels_all_the_players_points_and_passes_the_turn() {
    let mut game = game_with("apple", &[(A, "a"), (B, "b")]);
    game.play(A, letter("p"), now());
    assert_eq!(points(&game, A), 2);
    let out = game.play(A, word("ample"), now());
    assert_eq!(points(&game, A), 0);
    assert_eq!(game.current_player(), Some(B));
    assert!(out.iter().any(|d| matches!(
        &d.event,
        ServerEvent::WordNamed {
            correct: false,
            total: 0,
            ..
        }
    )));
}

#[test]
fn the_right_word_earns_the_hidden_letters_plus_the_prize_and_wins() {
    let mut game = game_with("apple", &[(A, "a"), (B, "b")]);
    game.play(A, letter("p"), now()); // +2, 3 letters still hidden
    let out = game.play(A, word("apple"), now());
    assert_eq!(game.phase(), Phase::Over);
    assert!(out.iter().any(|d| matches!(
        &d.event,
        ServerEvent::WordNamed {
            correct: true,
            earned: 3,
            total: 5,
            ..
        }
    )));
    let (winner, scores) = final_scores(&out);
    assert_eq!(winner.as_deref(), Some("a"));
    assert_eq!(scores, vec![("a".into(), 2 + 3 + 5), ("b".into(), 0)]);
}

#[test]
fn the_end_sends_results_then_quit_to_everyone() {
    let mut game = game_with("apple", &[(A, "a"), (B, "b")]);
    let out = game.play(A, word("apple"), now());
    for id in [A, B] {
        let events = events_for(&out, id);
        let over = events
            .iter()
            .position(|e| matches!(e, ServerEvent::GameOver { .. }));
        assert_eq!(events.last(), Some(&ServerEvent::Quit));
        assert!(over.unwrap() < events.len() - 1);
        assert!(!events.contains(&ServerEvent::YourTurn));
    }
}

#[test]
fn matching_is_case_insensitive_and_unicode_aware() {
    let mut game = game_with("ЯБЛУКО", &[(A, "a"), (B, "b")]);
    assert_eq!(game.alphabet(), UKRAINIAN_ALPHABET);
    game.play(A, letter("я"), now());
    assert_eq!(game.masked(), "я*****");
    let out = game.play(A, word("яблуко"), now());
    assert_eq!(final_scores(&out).0.as_deref(), Some("a"));

    // "й" typed decomposed (и + combining breve) matches the composed letter.
    let mut game = game_with("Гай", &[(A, "a")]);
    let decomposed = wordguess_protocol::text::single_letter("и\u{306}").unwrap();
    game.play(A, Move::Letter(decomposed), now());
    assert_eq!(game.masked(), "**й");
    game.play(A, letter("ґ"), now()); // ґ is not г
    assert_eq!(game.masked(), "**й");
}

#[test]
fn a_move_out_of_turn_is_refused_privately_and_changes_nothing() {
    let mut game = game_with("apple", &[(A, "a"), (B, "b")]);
    let out = game.play(B, letter("p"), now());
    assert_eq!(out.len(), 1);
    assert_eq!(out[0].to, Recipient::Only(B));
    assert!(
        matches!(&out[0].event, ServerEvent::Error { message } if message.contains("a's turn"))
    );
    assert_eq!(game.masked(), "*****");
    assert_eq!(game.current_player(), Some(A));
}

#[test]
fn a_move_before_the_start_is_refused() {
    let mut game = Game::new("apple", quick(2)).unwrap();
    game.join(A, "a", now()).unwrap();
    let out = game.play(A, letter("p"), now());
    assert!(
        matches!(&out[0].event, ServerEvent::Error { message } if message.contains("not started"))
    );
    assert_eq!(game.masked(), "*****");
}

#[test]
fn a_name_taken_in_the_game_is_refused_case_insensitively() {
    let mut game = Game::new("apple", quick(3)).unwrap();
    game.join(A, "Alice", now()).unwrap();
    assert_eq!(
        game.join(B, "alice", now()),
        Err(JoinError::NameTaken("alice".into()))
    );
    assert_eq!(game.players(), vec!["Alice".to_owned()]);
    game.join(B, "Bob", now()).unwrap();
}

#[test]
fn nobody_joins_a_game_that_has_started() {
    let mut game = game_with("apple", &[(A, "a"), (B, "b")]);
    assert_eq!(game.join(C, "c", now()), Err(JoinError::NotGathering));
}

#[test]
fn a_player_who_takes_too_long_loses_the_turn_but_keeps_its_points() {
    let mut game = game_with("apple", &[(A, "a"), (B, "b")]);
    // A hit at 10 s keeps the turn, and the clock starts afresh.
    game.play(A, letter("p"), at(10));
    assert_eq!(game.poll_timeout(), Some(at(10 + 45)), "warned 15 s before");
    assert!(game.handle_timeout(at(30)).is_empty(), "nothing due yet");
    let warned = game.handle_timeout(at(55));
    assert_eq!(
        warned,
        vec![Delivery {
            to: Recipient::Only(A),
            event: ServerEvent::TurnWarning { seconds: 15 }
        }]
    );
    assert_eq!(game.poll_timeout(), Some(at(70)));
    let out = game.handle_timeout(at(70));
    assert_eq!(game.current_player(), Some(B));
    assert_eq!(points(&game, A), 2);
    assert!(out
        .iter()
        .any(|d| d.event == ServerEvent::TurnTimedOut { name: "a".into() }));
    assert!(events_for(&out, B).contains(&ServerEvent::YourTurn));
    // B's clock runs from when B got the turn.
    assert_eq!(game.poll_timeout(), Some(at(70 + 45)));
}

#[test]
fn without_a_turn_time_nobody_is_hurried() {
    let rules = Rules::quick_match(2, None, Duration::from_secs(120));
    let mut game = Game::new("apple", rules).unwrap();
    game.join(A, "a", now()).unwrap();
    let out = game.join(B, "b", now()).unwrap();
    assert!(out.iter().any(|d| d.event
        == ServerEvent::TurnOf {
            name: "a".into(),
            seconds: None
        }));
    assert_eq!(game.poll_timeout(), None);
    assert!(game.handle_timeout(at(10_000)).is_empty());
}

fn room(players: &[(PlayerId, &str)]) -> Game {
    let rules = Rules {
        start: StartRule::ByHost,
        turn_time: Some(MINUTE),
        resume_grace: Duration::from_secs(120),
    };
    let mut game = Game::new("apple", rules).unwrap();
    for (id, name) in players {
        game.join(*id, name, now()).unwrap();
    }
    game
}

#[test]
fn only_the_host_starts_a_room_game_and_only_with_two_players() {
    let mut game = room(&[(A, "alice")]);
    assert_eq!(game.start(A, now()), Err(StartError::TooFew));
    let out = game.join(B, "bob", now()).unwrap();
    assert!(out.iter().any(|d| matches!(&d.event,
        ServerEvent::Joined { host: Some(host), .. } if host == "alice")));
    assert_eq!(
        game.phase(),
        Phase::Gathering,
        "a room never starts by itself"
    );
    assert_eq!(
        game.start(B, now()),
        Err(StartError::NotHost("alice".into()))
    );
    let out = game.start(A, now()).unwrap();
    assert_eq!(game.phase(), Phase::Playing);
    assert!(events_for(&out, A).contains(&ServerEvent::YourTurn));
    assert_eq!(game.start(A, now()), Err(StartError::NotGathering));
    let mut quick_game = Game::new("apple", quick(2)).unwrap();
    quick_game.join(A, "a", now()).unwrap();
    assert_eq!(quick_game.start(A, now()), Err(StartError::StartsByItself));
}

/// Who the host is, by name.
fn host_name(game: &Game) -> Option<String> {
    game.host()
        .and_then(|id| game.name_of(id))
        .map(str::to_owned)
}

#[test]
fn a_host_that_leaves_hands_the_room_to_the_next_present_seat_and_everyone_is_told() {
    const D: PlayerId = PlayerId(4);
    let mut game = room(&[(A, "alice"), (B, "bob"), (C, "cid"), (D, "dee")]);
    // Bob, next in the ring, is away: the role skips him.
    game.disconnect(B, now());
    let out = game.leave(A, now());
    assert_eq!(host_name(&game).as_deref(), Some("cid"));
    for id in [B, C, D] {
        assert!(
            events_for(&out, id).contains(&ServerEvent::HostChanged { name: "cid".into() }),
            "{id:?} is told"
        );
    }
    assert_eq!(game.start(B, now()), Err(StartError::NotHost("cid".into())));
    assert!(game.start(C, now()).is_ok(), "the new host starts the game");
    // During play too; and a save keeps the host it was handed.
    let out = game.leave(C, now());
    assert!(out
        .iter()
        .any(|d| d.event == ServerEvent::HostChanged { name: "dee".into() }));
    let saved = game.save();
    let restored = Game::restore(saved.clone(), Duration::from_secs(120), now()).unwrap();
    assert_eq!(host_name(&restored).as_deref(), Some("dee"));
    // A save from before hosts moved names none: its first seat hosts.
    let old = without_host(saved);
    let restored = Game::restore(old, Duration::from_secs(120), now()).unwrap();
    assert_eq!(host_name(&restored).as_deref(), Some("bob"));
}

fn without_host(mut saved: crate::SavedGame) -> crate::SavedGame {
    saved.host = None;
    saved
}

#[test]
fn a_quick_match_has_no_host_to_hand_over() {
    let mut game = game_with("apple", &[(A, "a"), (B, "b"), (C, "c")]);
    let out = game.leave(A, now());
    assert_eq!(game.host(), None);
    assert!(!out
        .iter()
        .any(|d| matches!(d.event, ServerEvent::HostChanged { .. })));
}

#[test]
fn the_host_may_change_word_and_turn_time_only_before_the_start() {
    let mut game = room(&[(A, "alice"), (B, "bob")]);
    game.replace_word("м'ята").unwrap();
    game.set_turn_time(None).unwrap();
    game.start(A, now()).unwrap();
    assert_eq!(game.masked(), "*'***");
    assert_eq!(game.poll_timeout(), None);
    assert_eq!(game.replace_word("apple"), Err(SettingsError::NotGathering));
    assert_eq!(game.set_turn_time(None), Err(SettingsError::NotGathering));
}

#[test]
fn an_away_seat_keeps_its_points_and_its_turn_passes_at_once() {
    let mut game = room(&[(A, "alice"), (B, "bob"), (C, "carol")]);
    game.start(A, now()).unwrap();
    game.play(A, letter("p"), at(1));
    let out = game.disconnect(A, at(2));
    assert!(out.iter().any(|d| d.event
        == ServerEvent::Away {
            name: "alice".into(),
            seconds: 120
        }));
    assert_eq!(
        game.current_player(),
        Some(B),
        "alice's turn passed at once"
    );
    assert_eq!(points(&game, A), 2);
    assert!(game.is_away(A));
    // Bob misses, Carol misses: the ring skips away Alice and comes to Bob.
    game.play(B, letter("z"), at(3));
    assert_eq!(game.current_player(), Some(C));
    game.play(C, letter("y"), at(4));
    assert_eq!(game.current_player(), Some(B));
}

#[test]
fn resume_restores_seat_and_score_with_a_snapshot_and_the_turn() {
    let mut game = room(&[(A, "alice"), (B, "bob")]);
    game.start(A, now()).unwrap();
    game.play(A, letter("p"), at(1));
    game.play(A, letter("z"), at(2));
    assert_eq!(game.current_player(), Some(B));
    game.disconnect(B, at(3));
    assert_eq!(game.current_player(), Some(A));
    // Alice misses while Bob is away: the turn skips Bob and stays hers.
    game.play(A, letter("q"), at(4));
    assert_eq!(game.current_player(), Some(A));
    let out = game.resume(B, at(20));
    let snapshot = events_for(&out, B)
        .into_iter()
        .find(|e| matches!(e, ServerEvent::Snapshot { .. }))
        .expect("a snapshot");
    let ServerEvent::Snapshot {
        players,
        masked,
        tried,
        turn,
        seconds_left,
        started,
        ..
    } = snapshot
    else {
        unreachable!()
    };
    assert!(started);
    assert_eq!(masked, "*pp**");
    assert_eq!(tried, vec!["p", "z", "q"]);
    assert_eq!(turn.as_deref(), Some("alice"));
    assert_eq!(seconds_left, Some(44), "alice got the turn at 4 s of 60");
    assert_eq!(players[0].points, 2);
    assert!(!players[1].away);
    assert!(out
        .iter()
        .any(|d| d.to == Recipient::All && d.event == ServerEvent::Back { name: "bob".into() }));
    assert!(!events_for(&out, B).contains(&ServerEvent::YourTurn));
    game.play(A, letter("x"), at(21));
    assert_eq!(game.current_player(), Some(B), "bob is back in the ring");
}

#[test]
fn when_every_seat_is_away_the_turn_waits_for_the_first_to_come_back() {
    let mut game = room(&[(A, "alice"), (B, "bob")]);
    game.start(A, now()).unwrap();
    game.disconnect(A, at(1));
    game.disconnect(B, at(2));
    assert_eq!(
        game.poll_timeout(),
        Some(at(121)),
        "no turn clock, only the graces"
    );
    assert!(game.handle_timeout(at(100)).is_empty());
    let out = game.resume(B, at(100));
    assert!(events_for(&out, B).contains(&ServerEvent::YourTurn));
    assert_eq!(game.current_player(), Some(B));
}

#[test]
fn when_the_parked_mover_itself_comes_back_its_turn_clock_runs_again() {
    // Found by the game_rules fuzz target: the seat the turn was parked on
    // resumed first, got /turn, but no TurnOf and no clock, so a timed game
    // waited for it forever.
    let mut game = room(&[(A, "alice"), (B, "bob")]);
    game.start(A, now()).unwrap();
    game.disconnect(B, at(1));
    game.disconnect(A, at(2));
    assert_eq!(
        game.poll_timeout(),
        Some(at(121)),
        "parked: only the graces"
    );
    let out = game.resume(B, at(3));
    assert_eq!(game.current_player(), Some(B));
    assert!(out.iter().any(|d| d.to == Recipient::All
        && d.event
            == ServerEvent::TurnOf {
                name: "bob".into(),
                seconds: Some(60)
            }));
    assert!(events_for(&out, B).contains(&ServerEvent::YourTurn));
    assert_eq!(
        game.poll_timeout(),
        Some(at(3) + MINUTE - warning_before(MINUTE)),
        "bob's turn clock runs"
    );
    let out = game.handle_timeout(at(63));
    assert!(out
        .iter()
        .any(|d| d.event == ServerEvent::TurnTimedOut { name: "bob".into() }));
}

#[test]
fn a_game_started_while_the_host_is_away_begins_with_the_first_present_seat() {
    // Found by the game_rules fuzz target: the first turn went to the away
    // host, so the others waited for its clock (or, without a limit, its
    // grace) to run out.
    let mut game = room(&[(A, "alice"), (B, "bob"), (C, "carol")]);
    game.disconnect(A, at(1));
    let out = game.start(A, at(2)).unwrap();
    assert_eq!(game.current_player(), Some(B));
    assert!(events_for(&out, B).contains(&ServerEvent::YourTurn));
    assert!(!events_for(&out, A).contains(&ServerEvent::YourTurn));
}

#[test]
fn after_the_grace_an_away_player_leaves_for_good() {
    let mut game = room(&[(A, "alice"), (B, "bob"), (C, "carol")]);
    game.start(A, now()).unwrap();
    game.disconnect(C, at(10));
    assert_eq!(game.poll_timeout(), Some(at(45)), "alice's warning first");
    game.play(A, letter("p"), at(20));
    let out = game.handle_timeout(at(130));
    assert!(out.iter().any(|d| d.event
        == ServerEvent::Left {
            name: "carol".into()
        }));
    assert!(!game.is_seated(C));
    assert_eq!(game.players(), vec!["alice", "bob"]);
    // A resume after the grace finds no seat.
    assert!(game.resume(C, at(131)).is_empty());
}

#[test]
fn a_host_who_leaves_hands_the_room_to_the_next_seat() {
    let mut game = room(&[(A, "alice"), (B, "bob"), (C, "carol")]);
    game.disconnect(A, at(1));
    assert_eq!(game.host(), Some(A), "the seat is kept during the grace");
    game.handle_timeout(at(121));
    assert_eq!(game.host(), Some(B));
    assert!(game.start(B, at(122)).is_ok());
}

#[test]
fn a_quick_match_player_who_drops_before_the_start_just_leaves() {
    let mut game = Game::new("apple", quick(3)).unwrap();
    game.join(A, "a", now()).unwrap();
    game.disconnect(A, at(1));
    assert!(!game.is_seated(A));
}

#[test]
fn apostrophes_and_hyphens_are_shown_from_the_start_and_not_guessed() {
    let mut game = game_with("сім'я", &[(A, "a"), (B, "b")]);
    assert_eq!(game.masked(), "***'*");
    assert_eq!(game.alphabet(), UKRAINIAN_ALPHABET);
    let out = game.play(A, word("СІМʼЯ"), at(1));
    assert!(out.iter().any(|d| matches!(&d.event,
        ServerEvent::WordNamed { correct: true, earned: 4, word, .. } if word == "сім'я")));
    let (winner, scores) = final_scores(&out);
    assert_eq!(winner.as_deref(), Some("a"));
    assert_eq!(
        scores[0].1,
        4 + 4,
        "the prize counts letters, not the apostrophe"
    );
    let mut game = game_with("будь-що", &[(A, "a"), (B, "b")]);
    assert_eq!(game.masked(), "****-**");
    game.play(A, word("будь‐що"), at(1));
    assert_eq!(game.phase(), Phase::Over);
}

#[test]
fn a_name_that_looks_like_another_players_is_refused() {
    let mut game = Game::new("apple", quick(3)).unwrap();
    game.join(A, "alice", now()).unwrap();
    assert_eq!(
        game.join(B, "\u{430}lice", now()),
        Err(JoinError::LooksLike("\u{430}lice".into(), "alice".into()))
    );
    game.join(B, "Bob", now()).unwrap();
    assert!(matches!(
        game.join(C, "\u{412}\u{43E}b", now()),
        Err(JoinError::LooksLike(..))
    ));
}

#[test]
fn a_player_who_leaves_is_removed_from_the_ring() {
    let mut game = game_with("apple", &[(A, "a"), (B, "b"), (C, "c")]);
    let out = game.leave(B, now());
    assert_eq!(game.players(), vec!["a".to_owned(), "c".to_owned()]);
    assert!(out
        .iter()
        .any(|d| d.event == ServerEvent::Left { name: "b".into() }));
    assert_eq!(
        game.current_player(),
        Some(A),
        "not b's turn: nothing changes"
    );
    game.play(A, letter("z"), now());
    assert_eq!(game.current_player(), Some(C), "b is skipped");
}

#[test]
fn when_the_player_to_move_leaves_the_turn_passes_to_the_next() {
    let mut game = game_with("apple", &[(A, "a"), (B, "b"), (C, "c")]);
    game.play(A, letter("z"), now());
    game.play(B, letter("y"), now());
    let out = game.leave(C, now());
    assert_eq!(game.current_player(), Some(A), "wraps around the ring");
    assert!(events_for(&out, A).contains(&ServerEvent::YourTurn));
}

#[test]
fn a_player_before_the_mover_leaving_keeps_the_same_mover() {
    let mut game = game_with("apple", &[(A, "a"), (B, "b"), (C, "c")]);
    game.play(A, letter("z"), now());
    game.play(B, letter("y"), now());
    game.leave(A, now());
    assert_eq!(game.current_player(), Some(C));
}

#[test]
fn the_game_ends_when_the_ring_is_empty() {
    let mut game = game_with("apple", &[(A, "a"), (B, "b")]);
    game.leave(A, now());
    assert_eq!(game.phase(), Phase::Playing);
    game.leave(B, now());
    assert_eq!(game.phase(), Phase::Over);
    assert!(matches!(
        &game.play(B, letter("a"), now())[0].event,
        ServerEvent::Error { .. }
    ));
}

#[test]
fn leaving_while_gathering_frees_the_seat_and_the_name() {
    let mut game = Game::new("apple", quick(2)).unwrap();
    game.join(A, "a", now()).unwrap();
    game.leave(A, now());
    assert!(game.players().is_empty());
    game.join(B, "a", now()).unwrap();
    assert_eq!(game.phase(), Phase::Gathering);
}

#[test]
fn puzzle_words_must_be_letters() {
    assert!(Game::new("two words", quick(2)).is_err());
    assert!(Game::new("", quick(2)).is_err());
}

/// A started room game of a, b, c where a named `p` (a hit) and then `z`
/// (a miss): it is b's turn, a has 1 point.
fn game_in_play() -> Game {
    let mut game = room(&[(A, "a"), (B, "b"), (C, "c")]);
    game.start(A, now()).unwrap();
    game.play(A, letter("l"), now());
    game.play(A, letter("z"), now());
    game
}

const GRACE: Duration = Duration::from_secs(300);

#[test]
fn a_restored_game_is_the_game_that_was_saved() {
    let game = game_in_play();
    let saved = game.save();
    let restored = Game::restore(saved.clone(), GRACE, at(10)).unwrap();
    assert_eq!(restored.save().ring, saved.ring, "seats, names and points");
    assert_eq!(restored.masked(), "***l*");
    assert_eq!(restored.tried(), ["l", "z"]);
    assert_eq!(restored.moves(), 2);
    assert_eq!(restored.current_player(), Some(B));
    assert!(
        [A, B, C].iter().all(|&p| restored.is_away(p)),
        "nobody is connected after a restart"
    );
    let json = serde_json::to_string(&saved).unwrap();
    assert_eq!(serde_json::from_str::<SavedGame>(&json).unwrap(), saved);
}

#[test]
fn a_restored_game_waits_for_its_mover_and_gives_it_the_turn_back() {
    let mut game = Game::restore(game_in_play().save(), GRACE, at(10)).unwrap();
    assert_eq!(
        game.poll_timeout(),
        Some(at(10) + GRACE),
        "no turn clock runs"
    );
    let out = game.resume(A, at(20));
    assert_eq!(
        game.current_player(),
        Some(B),
        "a is back but the turn stays b's"
    );
    assert!(!events_for(&out, A).contains(&ServerEvent::YourTurn));
    assert!(
        game.handle_timeout(at(200)).is_empty(),
        "the turn does not time out"
    );
    assert!(matches!(
        &game.play(A, letter("a"), at(201))[0].event,
        ServerEvent::Error { .. }
    ));
    let out = game.resume(B, at(202));
    assert!(events_for(&out, B).contains(&ServerEvent::YourTurn));
    assert!(events_for(&out, A).contains(&ServerEvent::TurnOf {
        name: "b".into(),
        seconds: Some(60)
    }));
    assert!(!game.holds_turn());
    assert_eq!(
        game.poll_timeout(),
        Some(at(202) + MINUTE - warning_before(MINUTE))
    );
    game.play(B, letter("a"), at(203));
    assert_eq!(game.masked(), "a**l*");
}

#[test]
fn a_restored_mover_who_never_comes_back_loses_the_turn_when_its_grace_ends() {
    let mut game = Game::restore(game_in_play().save(), GRACE, at(10)).unwrap();
    game.resume(A, at(11));
    game.resume(C, at(12));
    let out = game.handle_timeout(at(10) + GRACE);
    assert!(out
        .iter()
        .any(|d| d.event == ServerEvent::Left { name: "b".into() }));
    assert_eq!(game.current_player(), Some(C), "the turn goes on to c");
    assert!(events_for(&out, C).contains(&ServerEvent::YourTurn));
}

#[test]
fn a_saved_game_that_does_not_fit_the_rules_is_refused() {
    let mut saved = game_in_play().save();
    saved.turn = 7;
    assert!(Game::restore(saved, GRACE, now()).is_err());
    let mut saved = game_in_play().save();
    saved.word = "two words".into();
    assert!(Game::restore(saved, GRACE, now()).is_err());
    let mut saved = game_in_play().save();
    saved.shown.pop();
    assert!(Game::restore(saved, GRACE, now()).is_err());
}

proptest! {
    /// Whatever players do, the game never panics, only the mover changes
    /// the word, and a game whose word is revealed is over with a winner.
    #[test]
    fn any_sequence_of_moves_keeps_the_game_consistent(
        moves in proptest::collection::vec((0u64..4, any::<bool>(), "[a-f]{1,3}"), 0..80)
    ) {
        let mut game = game_with("abcab", &[(A, "a"), (B, "b"), (C, "c")]);
        for (who, is_letter, text) in moves {
            let id = PlayerId(who);
            let before = (game.masked(), game.current_player());
            let mv = if is_letter { letter(&text[..1]) } else { word(&text) };
            let out = if who == 0 { game.leave(B, now()) } else { game.play(id, mv, now()) };
            if who != 0 && before.1 != Some(id) {
                prop_assert_eq!(game.masked(), before.0, "an out-of-turn move changed the word");
            }
            if game.phase() == Phase::Over {
                if !game.masked().contains('*') {
                    prop_assert!(final_scores(&out).0.is_some());
                }
                break;
            }
            prop_assert!(game.current_player().is_some());
        }
    }
}

/// Plays `mv` for `id` at `t`, checking [`Game::replay`] against it: a
/// move made while the game is replayable, replayed on the game saved
/// before it, gives the game saved after it (the server restores unfinished
/// games this way); a move the rules refuse does not replay (one refused
/// only because its seat is away may: a replay knows nothing of away seats,
/// and the server logs only moves that were made).
fn play_checking_replay(
    game: &mut Game,
    id: PlayerId,
    mv: Move,
    t: Instant,
) -> Result<Vec<Delivery>, TestCaseError> {
    let (before, replayable, moves) = (game.save(), game.is_replayable(), game.moves());
    let out = game.play(id, mv.clone(), t);
    let replay = Game::replay(before, id, mv, t + Duration::from_millis(500));
    if game.moves() == moves + 1 && replayable {
        prop_assert_eq!(replay, Ok(game.save()));
    } else if game.moves() == moves && !game.is_away(id) {
        prop_assert!(replay.is_err(), "a refused move replayed");
    }
    Ok(out)
}

proptest! {
    /// With lost connections, resumes and time passing in any order: the
    /// ring keeps its order, the mover is always a present seat while
    /// anyone is present, every replayable move replays to the game it
    /// made, and nothing panics.
    #[test]
    fn seats_coming_and_going_over_time_keep_the_ring_consistent(
        steps in proptest::collection::vec((0u8..6, 1u64..4, 0u64..90, "[a-f]"), 0..120)
    ) {
        let mut game = room(&[(A, "a"), (B, "b"), (C, "c")]);
        game.start(A, now()).unwrap();
        let mut clock = 0;
        for (action, who, wait, text) in steps {
            let id = PlayerId(who);
            clock += wait;
            let t = at(clock);
            let _ = match action {
                0 => play_checking_replay(&mut game, id, letter(&text), t)?,
                1 => game.disconnect(id, t),
                2 => game.resume(id, t),
                3 => game.handle_timeout(t),
                4 => play_checking_replay(&mut game, id, word("apple"), t)?,
                // The server restarts: the game comes back from its save.
                _ => {
                    game = Game::restore(game.save(), Duration::from_secs(120), t).unwrap();
                    Vec::new()
                }
            };
            if let Some(due) = game.poll_timeout() {
                // Never asks to be woken in the past without doing anything.
                if due <= t {
                    prop_assert!(!game.handle_timeout(t).is_empty() || game.poll_timeout().is_none_or(|d| d > t));
                }
            }
            let order: Vec<String> = game.players();
            let expected: Vec<String> = ["a", "b", "c"].iter().map(|s| s.to_string()).filter(|n| order.contains(n)).collect();
            prop_assert_eq!(order, expected);
            if game.phase() == Phase::Playing {
                let anyone_present = [A, B, C].iter().any(|&p| game.is_seated(p) && !game.is_away(p));
                let mover = game.current_player().unwrap();
                prop_assert!(
                    !anyone_present || !game.is_away(mover) || game.holds_turn(),
                    "the mover is away while others are here (and no restart holds the turn)"
                );
            } else {
                break;
            }
        }
    }
}

#[test]
fn a_move_is_replayable_only_while_every_seat_is_here_and_no_turn_is_held() {
    let mut game = game_in_play();
    assert!(game.is_replayable());
    let _ = game.disconnect(B, now());
    assert!(
        !game.is_replayable(),
        "an away seat changes whose turn is next"
    );
    let _ = game.resume(B, now());
    assert!(game.is_replayable());
    let restored = Game::restore(game.save(), GRACE, now()).unwrap();
    assert!(!restored.is_replayable(), "a restored game holds its turn");
}

#[test]
fn a_replay_refuses_a_move_the_game_could_not_have_taken() {
    let game = game_in_play();
    let mover = game.current_player().unwrap();
    let other = if mover == A { B } else { A };
    assert!(Game::replay(game.save(), other, letter("a"), now()).is_err());
    let mut over = game.save();
    over.phase = Phase::Over;
    assert!(Game::replay(over, mover, letter("a"), now()).is_err());
    let after = Game::replay(game.save(), mover, letter("x"), now()).unwrap();
    assert_eq!(after.moves, game.moves() + 1);
    assert_eq!(after.named, ["l", "z", "x"]);
}

const ROBO: PlayerId = PlayerId(9);

/// A room with alice (host), bob and the computer player Robo, started.
fn room_with_computer() -> Game {
    let mut game = room(&[(A, "alice"), (B, "bob")]);
    game.join_computer(ROBO, "Robo", Level::Normal, now())
        .unwrap();
    game.start(A, now()).unwrap();
    game
}

fn the_words() -> Vec<String> {
    ["apple", "angle", "amble"].map(String::from).to_vec()
}

#[test]
fn a_computer_player_is_a_seat_marked_in_every_list_of_players() {
    let mut game = room(&[]);
    assert_eq!(
        game.join_computer(ROBO, "Robo", Level::Hard, now()),
        Err(JoinError::NoPeople),
        "computer players do not play by themselves"
    );
    game.join(A, "alice", now()).unwrap();
    let out = game
        .join_computer(ROBO, "Robo", Level::Hard, now())
        .unwrap();
    assert!(
        out.iter().all(|d| d.to == Recipient::All),
        "nobody greets a computer player: {out:?}"
    );
    assert!(out.iter().any(|d| matches!(&d.event,
        ServerEvent::Joined { name, computers, host: Some(host), .. }
            if name == "Robo" && computers == &["Robo"] && host == "alice")));
    assert_eq!(game.host(), Some(A), "a computer player never hosts");
    let robo = game.seats().into_iter().find(|s| s.name == "Robo").unwrap();
    assert_eq!(robo.computer, Some(Level::Hard));
    assert!(!robo.away);
    let out = game.start(A, now()).unwrap();
    assert!(out.iter().any(|d| matches!(&d.event,
        ServerEvent::Started { players, computers, .. }
            if players == &["alice", "Robo"] && computers == &["Robo"])));
    assert_eq!(
        game.join_computer(C, "ALICE", Level::Easy, now()),
        Err(JoinError::NotGathering)
    );
}

#[test]
fn a_computer_player_plays_its_turn_through_the_rules_and_its_score_is_marked() {
    let mut game = room_with_computer();
    assert_eq!(game.computer_to_move(), None, "alice moves first");
    let _ = game.play(A, letter("z"), now());
    let _ = game.play(B, letter("q"), now());
    assert_eq!(game.computer_to_move(), Some((ROBO, Level::Normal)));
    let (id, mv) = game.computer_move(&the_words(), 7).unwrap();
    assert_eq!(id, ROBO);
    let before = game.moves();
    let _ = game.play(id, mv, now());
    assert_eq!(
        game.moves(),
        before + 1,
        "the rules took the computer's move"
    );
    let out = game.play(game.current_player().unwrap(), word("apple"), now());
    let scores = out
        .iter()
        .find_map(|d| match &d.event {
            ServerEvent::GameOver { scores, .. } => Some(scores.clone()),
            _ => None,
        })
        .unwrap();
    let marks: Vec<(String, bool)> = scores.into_iter().map(|s| (s.name, s.computer)).collect();
    assert_eq!(
        marks,
        [("alice", false), ("bob", false), ("Robo", true)].map(|(n, c)| (n.to_owned(), c))
    );
}

#[test]
fn a_computer_player_waits_while_every_person_is_away() {
    let mut game = room_with_computer();
    let _ = game.play(A, letter("z"), at(1));
    let _ = game.play(B, letter("q"), at(2));
    assert_eq!(game.computer_to_move(), Some((ROBO, Level::Normal)));
    let _ = game.disconnect(A, at(3));
    assert!(game.computer_to_move().is_some(), "bob still watches");
    let _ = game.disconnect(B, at(4));
    assert_eq!(game.computer_to_move(), None, "nobody is here to see it");
    assert!(!game.is_away(ROBO), "a computer player is never away");
    assert!(
        game.disconnect(ROBO, at(4)).is_empty(),
        "it has no connection to lose"
    );
    assert!(!game.is_away(ROBO));
    // No turn clock runs for it meanwhile: only the graces are due.
    assert_eq!(game.poll_timeout(), Some(at(3) + Duration::from_secs(120)));
    let out = game.resume(B, at(50));
    assert!(out.iter().any(|d| matches!(&d.event,
        ServerEvent::TurnOf { name, seconds: Some(60), .. } if name == "Robo")));
    assert_eq!(game.computer_to_move(), Some((ROBO, Level::Normal)));
}

#[test]
fn a_game_left_with_computer_players_alone_ends() {
    let mut game = room_with_computer();
    let _ = game.leave(A, now());
    assert_eq!(game.host(), Some(B), "the host role passes to a person");
    assert_eq!(game.phase(), Phase::Playing);
    let _ = game.leave(B, now());
    assert_eq!(game.phase(), Phase::Over);
    assert_eq!(game.computer_to_move(), None);
}

#[test]
fn a_restored_computer_player_is_here_and_moves_once_a_person_is_back() {
    let mut game = room_with_computer();
    let _ = game.play(A, letter("z"), now());
    let _ = game.play(B, letter("q"), now());
    let saved = game.save();
    assert_eq!(saved.ring[2].computer, Some(Level::Normal));
    let mut game = Game::restore(saved, Duration::from_secs(120), at(10)).unwrap();
    assert!(!game.is_away(ROBO));
    assert!(game.is_away(A) && game.is_away(B));
    assert!(!game.holds_turn(), "a computer's turn is not held for it");
    assert_eq!(game.computer_to_move(), None, "no person is back yet");
    let _ = game.resume(A, at(11));
    assert_eq!(game.computer_to_move(), Some((ROBO, Level::Normal)));
}

proptest! {
    /// With a computer player in the ring, people coming and going and
    /// restarts in any order: the computer player is never away, never
    /// hosts, moves only while a person is here, always makes a move the
    /// rules take, and the game ends once no person is left.
    #[test]
    fn a_computer_player_among_people_coming_and_going_keeps_the_rules(
        steps in proptest::collection::vec((0u8..7, 1u64..3, 0u64..90, "[a-f]", any::<u64>()), 0..120)
    ) {
        let mut game = room_with_computer();
        let words = the_words();
        let mut clock = 0;
        for (action, who, wait, text, seed) in steps {
            let id = PlayerId(who);
            clock += wait;
            let t = at(clock);
            let _ = match action {
                0 => game.play(id, letter(&text), t),
                1 => game.disconnect(id, t),
                2 => game.resume(id, t),
                3 => game.handle_timeout(t),
                4 => game.leave(id, t),
                5 => match game.computer_move(&words, seed) {
                    Some((robo, mv)) => {
                        let before = game.moves();
                        let out = game.play(robo, mv, t);
                        prop_assert_eq!(game.moves(), before + 1, "the rules refused {:?}", out);
                        out
                    }
                    None => Vec::new(),
                },
                _ => {
                    game = Game::restore(game.save(), Duration::from_secs(120), t).unwrap();
                    Vec::new()
                }
            };
            let people = [A, B].iter().filter(|&&p| game.is_seated(p)).count();
            let people_here = [A, B].iter().any(|&p| game.is_seated(p) && !game.is_away(p));
            prop_assert!(!game.is_away(ROBO));
            prop_assert_ne!(game.host(), Some(ROBO));
            if game.computer_to_move().is_some() {
                prop_assert!(people_here, "a computer player moves with nobody here");
            }
            if people == 0 {
                prop_assert_eq!(game.phase(), Phase::Over);
            }
            if game.phase() != Phase::Playing {
                break;
            }
        }
    }
}

#[test]
fn an_away_seat_cannot_move_until_it_is_back() {
    let mut game = room(&[(A, "alice"), (B, "bob")]);
    game.start(A, now()).unwrap();
    let saved = game.save();
    let mut game = Game::restore(saved, Duration::from_secs(120), at(1)).unwrap();
    assert_eq!(game.current_player(), Some(A), "the turn is held for alice");
    let out = game.play(A, letter("z"), at(2));
    assert!(
        matches!(&out[..], [Delivery { to: Recipient::Only(A), event: ServerEvent::Error { message } }]
        if message.contains("/resume"))
    );
    assert_eq!(game.moves(), 0);
    let _ = game.resume(A, at(3));
    let _ = game.play(A, letter("z"), at(4));
    assert_eq!(game.moves(), 1);
}
