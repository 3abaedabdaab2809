//! One test per rule of SPEC section 1, named after the rule.

use super::*;
use proptest::prelude::*;

const A: PlayerId = PlayerId(1);
const B: PlayerId = PlayerId(2);
const C: PlayerId = PlayerId(3);

fn game_with(word: &str, players: &[(PlayerId, &str)]) -> Game {
    let mut game = Game::new(word, players.len()).unwrap();
    for (id, name) in players {
        game.join(*id, name).unwrap();
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
    let mut game = Game::new("apple", 2).unwrap();
    let out = game.join(A, "alice").unwrap();
    assert_eq!(game.phase(), Phase::Gathering);
    assert!(out.iter().any(|d| matches!(&d.event,
        ServerEvent::Joined { name, needed: 2, .. } if name == "alice")));
    let out = game.join(B, "bob").unwrap();
    assert_eq!(game.phase(), Phase::Playing);
    assert!(out.iter().any(|d| matches!(&d.event,
        ServerEvent::Started { masked, alphabet, .. } if masked == "*****" && alphabet == ENGLISH_ALPHABET)));
}

#[test]
fn the_first_to_join_moves_first_and_only_it_gets_turn() {
    let mut game = Game::new("apple", 2).unwrap();
    game.join(A, "alice").unwrap();
    let out = game.join(B, "bob").unwrap();
    assert!(events_for(&out, A).contains(&ServerEvent::YourTurn));
    assert!(!events_for(&out, B).contains(&ServerEvent::YourTurn));
    assert!(events_for(&out, B).contains(&ServerEvent::TurnOf {
        name: "alice".into()
    }));
}

#[test]
fn players_move_in_ring_order_and_the_ring_wraps() {
    let mut game = game_with("apple", &[(A, "a"), (B, "b"), (C, "c")]);
    assert_eq!(game.current_player(), Some(A));
    game.play(A, letter("z"));
    assert_eq!(game.current_player(), Some(B));
    game.play(B, letter("y"));
    assert_eq!(game.current_player(), Some(C));
    game.play(C, letter("x"));
    assert_eq!(game.current_player(), Some(A));
}

#[test]
fn letter_not_in_the_word_passes_the_turn_without_points() {
    let mut game = game_with("apple", &[(A, "a"), (B, "b")]);
    let out = game.play(A, letter("z"));
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
    let out = game.play(A, letter("p"));
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
    let out = game.play(A, letter("a"));
    assert_eq!(game.phase(), Phase::Over);
    let (winner, scores) = final_scores(&out);
    assert_eq!(winner.as_deref(), Some("a"));
    // 2 occurrences + a prize of 2 letters.
    assert_eq!(scores, vec![("a".into(), 4), ("b".into(), 0)]);
}

#[test]
fn a_letter_already_revealed_earns_nothing_and_passes_the_turn() {
    let mut game = game_with("apple", &[(A, "a"), (B, "b")]);
    game.play(A, letter("p"));
    let out = game.play(A, letter("P"));
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
    game.play(A, letter("z"));
    let out = game.play(B, letter("z"));
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
    game.play(A, letter("p"));
    assert_eq!(points(&game, A), 2);
    let out = game.play(A, word("ample"));
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
    game.play(A, letter("p")); // +2, 3 letters still hidden
    let out = game.play(A, word("apple"));
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
    let out = game.play(A, word("apple"));
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
    game.play(A, letter("я"));
    assert_eq!(game.masked(), "я*****");
    let out = game.play(A, word("яблуко"));
    assert_eq!(final_scores(&out).0.as_deref(), Some("a"));

    // "й" typed decomposed (и + combining breve) matches the composed letter.
    let mut game = game_with("Гай", &[(A, "a")]);
    let decomposed = wordguess_protocol::text::single_letter("и\u{306}").unwrap();
    game.play(A, Move::Letter(decomposed));
    assert_eq!(game.masked(), "**й");
    game.play(A, letter("ґ")); // ґ is not г
    assert_eq!(game.masked(), "**й");
}

#[test]
fn a_move_out_of_turn_is_refused_privately_and_changes_nothing() {
    let mut game = game_with("apple", &[(A, "a"), (B, "b")]);
    let out = game.play(B, letter("p"));
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
    let mut game = Game::new("apple", 2).unwrap();
    game.join(A, "a").unwrap();
    let out = game.play(A, letter("p"));
    assert!(
        matches!(&out[0].event, ServerEvent::Error { message } if message.contains("not started"))
    );
    assert_eq!(game.masked(), "*****");
}

#[test]
fn a_name_taken_in_the_game_is_refused_case_insensitively() {
    let mut game = Game::new("apple", 3).unwrap();
    game.join(A, "Alice").unwrap();
    assert_eq!(
        game.join(B, "alice"),
        Err(JoinError::NameTaken("alice".into()))
    );
    assert_eq!(game.players(), vec!["Alice".to_owned()]);
    game.join(B, "Bob").unwrap();
}

#[test]
fn nobody_joins_a_game_that_has_started() {
    let mut game = game_with("apple", &[(A, "a"), (B, "b")]);
    assert_eq!(game.join(C, "c"), Err(JoinError::NotGathering));
}

#[test]
fn a_player_who_takes_too_long_loses_the_turn_but_keeps_its_points() {
    let mut game = game_with("apple", &[(A, "a"), (B, "b")]);
    game.play(A, letter("p"));
    let out = game.pass_turn(A);
    assert_eq!(game.current_player(), Some(B));
    assert_eq!(points(&game, A), 2);
    assert!(out
        .iter()
        .any(|d| d.event == ServerEvent::TurnTimedOut { name: "a".into() }));
    assert!(events_for(&out, B).contains(&ServerEvent::YourTurn));
    // A timeout for a turn that has already passed changes nothing.
    assert!(game.pass_turn(A).is_empty());
    assert_eq!(game.current_player(), Some(B));
}

#[test]
fn a_player_who_leaves_is_removed_from_the_ring() {
    let mut game = game_with("apple", &[(A, "a"), (B, "b"), (C, "c")]);
    let out = game.leave(B);
    assert_eq!(game.players(), vec!["a".to_owned(), "c".to_owned()]);
    assert!(out
        .iter()
        .any(|d| d.event == ServerEvent::Left { name: "b".into() }));
    assert_eq!(
        game.current_player(),
        Some(A),
        "not b's turn: nothing changes"
    );
    game.play(A, letter("z"));
    assert_eq!(game.current_player(), Some(C), "b is skipped");
}

#[test]
fn when_the_player_to_move_leaves_the_turn_passes_to_the_next() {
    let mut game = game_with("apple", &[(A, "a"), (B, "b"), (C, "c")]);
    game.play(A, letter("z"));
    game.play(B, letter("y"));
    let out = game.leave(C);
    assert_eq!(game.current_player(), Some(A), "wraps around the ring");
    assert!(events_for(&out, A).contains(&ServerEvent::YourTurn));
}

#[test]
fn a_player_before_the_mover_leaving_keeps_the_same_mover() {
    let mut game = game_with("apple", &[(A, "a"), (B, "b"), (C, "c")]);
    game.play(A, letter("z"));
    game.play(B, letter("y"));
    game.leave(A);
    assert_eq!(game.current_player(), Some(C));
}

#[test]
fn the_game_ends_when_the_ring_is_empty() {
    let mut game = game_with("apple", &[(A, "a"), (B, "b")]);
    game.leave(A);
    assert_eq!(game.phase(), Phase::Playing);
    game.leave(B);
    assert_eq!(game.phase(), Phase::Over);
    assert!(matches!(
        &game.play(B, letter("a"))[0].event,
        ServerEvent::Error { .. }
    ));
}

#[test]
fn leaving_while_gathering_frees_the_seat_and_the_name() {
    let mut game = Game::new("apple", 2).unwrap();
    game.join(A, "a").unwrap();
    game.leave(A);
    assert!(game.players().is_empty());
    game.join(B, "a").unwrap();
    assert_eq!(game.phase(), Phase::Gathering);
}

#[test]
fn puzzle_words_must_be_letters() {
    assert!(Game::new("two words", 2).is_err());
    assert!(Game::new("", 2).is_err());
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
            let out = if who == 0 { game.leave(B) } else { game.play(id, mv) };
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
