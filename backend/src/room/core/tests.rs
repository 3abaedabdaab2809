//! The room core, driven with simulated time: no runtime, no socket, no
//! clock. Each test plays connections in and reads the effects a driver
//! would carry out.

use std::time::{Duration, Instant};

use wordguess_game::Move;
use wordguess_protocol::{BotLevel, ResumeToken, RoomCode, ServerEvent};

use super::*;
use crate::delivery::Signal;
use crate::room::messages::RoomCommand;
use crate::support::ids::{ConnIds, NodeId};

/// The server's settings for test rooms: every game's word is `word`.
fn defaults(word: &str) -> Arc<RoomDefaults> {
    Arc::new(RoomDefaults {
        words: WordList::parse(word, "test").expect("a valid word"),
        language: Language::Both,
        words_from_file: false,
        players_to_start: 2,
        turn_time: Some(Duration::from_secs(30)),
        resume_grace: Duration::from_secs(60),
        idle_close: Duration::from_secs(600),
        public_url: "http://play.example".to_owned(),
        tcp_port: 4000,
        bot_after: None,
    })
}

/// Simulated time: a start instant and the moments after it.
struct Clock {
    start: Instant,
}

impl Clock {
    fn new() -> Self {
        Self {
            start: Instant::now(),
        }
    }

    /// The moment `secs` seconds after the start.
    fn at(&self, secs: f64) -> Now {
        Now {
            instant: self.start + Duration::from_secs_f64(secs),
            unix_millis: 1_800_000_000_000 + (secs * 1000.0) as i64,
        }
    }
}

fn code() -> RoomCode {
    RoomCode::parse("H2W2S2").expect("a code")
}

fn command(conn: ConnId, command: RoomCommand) -> RoomInput {
    RoomInput::Command { conn, command }
}

fn letter(conn: ConnId, letter: &str) -> RoomInput {
    command(conn, RoomCommand::Play(Move::Letter(letter.to_owned())))
}

/// The events `conn` is sent in `effects`, in order.
fn events_to(effects: &Effects, conn: ConnId) -> Vec<ServerEvent> {
    effects
        .messages
        .iter()
        .filter(|(to, _)| *to == conn)
        .filter_map(|(_, message)| match message {
            Message::Event(event) => Some((**event).clone()),
            Message::Signal(_) => None,
        })
        .collect()
}

/// The signals `conn` is sent in `effects`.
fn signals_to(effects: &Effects, conn: ConnId) -> Vec<Signal> {
    effects
        .messages
        .iter()
        .filter(|(to, _)| *to == conn)
        .filter_map(|(_, message)| match message {
            Message::Signal(signal) => Some(signal.clone()),
            Message::Event(_) => None,
        })
        .collect()
}

/// The token a `Seated` signal gave `conn`.
fn seat_token(effects: &Effects, conn: ConnId) -> ResumeToken {
    signals_to(effects, conn)
        .into_iter()
        .find_map(|signal| match signal {
            Signal::Seated { token, .. } => Some(token),
            _ => None,
        })
        .expect("seated")
}

/// Tokens for a test room: 1, 2, 3, ...
fn token_source() -> TokenSource {
    let mut issued = 0u128;
    TokenSource::new(move || {
        issued += 1;
        ResumeToken::from_bits(issued)
    })
}

/// A new room of `kind` at the clock's start, saved if `persistent`.
fn room(kind: RoomKind, persistent: bool, clock: &Clock) -> RoomCore {
    RoomCore::fresh(
        code(),
        kind,
        defaults("apple"),
        persistent,
        token_source(),
        clock.at(0.0),
    )
}

/// A new quick-match room (not saved) of `apple` whose server settings
/// `tweak` changes.
fn quick_room_with(clock: &Clock, tweak: impl FnOnce(&mut RoomDefaults)) -> RoomCore {
    let mut defaults = (*defaults("apple")).clone();
    tweak(&mut defaults);
    RoomCore::fresh(
        code(),
        RoomKind::QuickMatch,
        Arc::new(defaults),
        false,
        token_source(),
        clock.at(0.0),
    )
}

/// A quick-match room where alice and bob sit and the game has begun
/// (alice moves first): the clock, the room, alice's and bob's connections
/// and their seats' tokens.
struct Table(Clock, RoomCore, ConnId, ConnId, [ResumeToken; 2]);

fn table(word: &str, persistent: bool) -> Table {
    let clock = Clock::new();
    let ids = ConnIds::new(NodeId(1));
    let (alice, bob) = (ids.next(), ids.next());
    let mut room = RoomCore::fresh(
        code(),
        RoomKind::QuickMatch,
        defaults(word),
        persistent,
        token_source(),
        clock.at(0.0),
    );
    let first = room.handle(RoomInput::player(alice, "alice"), clock.at(1.0));
    let second = room.handle(RoomInput::player(bob, "bob"), clock.at(2.0));
    let tokens = [seat_token(&first, alice), seat_token(&second, bob)];
    Table(clock, room, alice, bob, tokens)
}

#[test]
fn two_players_sit_and_the_quick_match_begins_for_both() {
    let clock = Clock::new();
    let ids = ConnIds::new(NodeId(1));
    let (alice, bob) = (ids.next(), ids.next());
    let mut room = room(RoomKind::QuickMatch, false, &clock);
    let first = room.handle(RoomInput::player(alice, "alice"), clock.at(1.0));
    let token = seat_token(&first, alice);
    assert!(
        first
            .reports
            .contains(&RoomReport::TokenIssued(token.clone())),
        "the directory learns the token"
    );
    let greeting = events_to(&first, alice);
    assert_eq!(
        greeting[0],
        ServerEvent::Accepted {
            name: "alice".to_owned()
        }
    );
    assert!(greeting.contains(&ServerEvent::Room {
        code: "H2W2S2".to_owned(),
        invite: "http://play.example/?room=H2W2S2".to_owned(),
        tcp_port: 4000,
    }));
    assert!(greeting.contains(&ServerEvent::Token {
        token: token.to_string(),
        grace_seconds: 60,
    }));
    assert!(!first.reports.contains(&RoomReport::GatheringOver));

    let second = room.handle(RoomInput::player(bob, "bob"), clock.at(2.0));
    assert!(second.reports.contains(&RoomReport::GatheringOver));
    for conn in [alice, bob] {
        let events = events_to(&second, conn);
        assert!(
            events
                .iter()
                .any(|event| matches!(event, ServerEvent::Started { .. })),
            "{conn} hears the game begin: {events:?}"
        );
    }
    assert!(room.gauges().playing);
    assert_eq!(room.gauges().seats, 2);
    assert!(second.writes.is_empty(), "nothing is saved without a store");
}

#[test]
fn each_seat_gets_a_token_of_its_own() {
    let Table(_, _, _, _, tokens) = table("apple", false);
    assert_ne!(
        tokens[0], tokens[1],
        "one seat's token never takes another's"
    );
}

#[test]
fn a_line_from_a_connection_the_room_does_not_know_is_refused_and_it_is_asked_to_enter_again() {
    let clock = Clock::new();
    let ids = ConnIds::new(NodeId(1));
    let (alice, stranger) = (ids.next(), ids.next());
    let mut room = room(RoomKind::Private, false, &clock);
    let _ = room.handle(RoomInput::player(alice, "alice"), clock.at(1.0));
    let effects = room.handle(letter(stranger, "a"), clock.at(2.0));
    assert!(matches!(
        &events_to(&effects, stranger)[..],
        [ServerEvent::Error { message }] if message.ends_with("send it again")
    ));
    assert_eq!(signals_to(&effects, stranger), [Signal::Missed]);
    assert!(
        events_to(&effects, alice).is_empty(),
        "nobody else hears of it"
    );
}

#[test]
fn a_name_already_taken_is_refused_and_the_connection_is_not_a_member() {
    let clock = Clock::new();
    let ids = ConnIds::new(NodeId(1));
    let (alice, other) = (ids.next(), ids.next());
    let mut room = room(RoomKind::Private, false, &clock);
    let _ = room.handle(RoomInput::player(alice, "alice"), clock.at(1.0));
    let refused = room.handle(RoomInput::player(other, "Alice"), clock.at(2.0));
    assert_eq!(
        signals_to(&refused, other),
        [Signal::Refused { retry: false }],
        "it may send another name"
    );
    assert!(matches!(
        &events_to(&refused, other)[..],
        [ServerEvent::Error { message }] if message.contains("is taken")
    ));
    assert!(!room.is_member(other));
    assert!(refused.reports.is_empty(), "no token for a refused name");
}

#[test]
fn a_newcomer_to_a_started_quick_match_is_sent_to_the_next_room() {
    let Table(clock, mut room, _, _, _) = table("apple", false);
    let carol = ConnIds::new(NodeId(2)).next();
    let effects = room.handle(RoomInput::player(carol, "carol"), clock.at(3.0));
    assert_eq!(
        signals_to(&effects, carol),
        [Signal::Refused { retry: true }]
    );
    assert!(!room.is_member(carol));
}

#[test]
fn a_move_is_logged_alone_once_the_room_is_saved_whole_and_the_whole_state_follows_in_time() {
    let Table(clock, mut room, alice, _, _) = table("apple", true);
    // The room was saved whole when the players sat down.
    for (moves, (at, guess)) in [(3.0, "p"), (4.0, "l")].into_iter().enumerate() {
        let effects = room.handle(letter(alice, guess), clock.at(at));
        match &effects.writes[..] {
            [Write::LogMove(logged)] => {
                assert_eq!(logged.moves as usize, moves + 1);
                assert_eq!(logged.guess, guess);
            }
            other => panic!("the move alone is logged: {other:?}"),
        }
    }
    let due = clock.at(4.0).instant + SAVE_WHOLE_WITHIN;
    assert!(
        room.poll_timeout().is_some_and(|wake| wake <= due),
        "the room wakes to save itself whole"
    );
    let later = room.handle_timeout(clock.at(4.0 + SAVE_WHOLE_WITHIN.as_secs_f64()));
    assert!(later
        .writes
        .iter()
        .any(|write| matches!(write, Write::SaveRoom { .. })));
}

#[test]
fn a_room_without_a_store_never_saves() {
    let Table(clock, mut room, alice, _, _) = table("apple", false);
    let effects = room.handle(letter(alice, "p"), clock.at(3.0));
    assert!(effects.writes.is_empty());
    assert!(!events_to(&effects, alice).is_empty());
}

#[test]
fn a_lost_connection_keeps_the_seat_away_until_the_grace_ends() {
    let Table(clock, mut room, alice, bob, tokens) = table("apple", false);
    let gone = room.handle(RoomInput::Gone { conn: bob }, clock.at(10.0));
    assert!(gone.left.contains(&bob));
    assert!(
        events_to(&gone, alice)
            .iter()
            .any(|event| matches!(event, ServerEvent::Away { .. })),
        "alice hears bob is away"
    );
    assert_eq!(room.gauges().seats, 2, "the seat is kept");
    let grace_end = clock.at(10.0).instant + Duration::from_secs(60);
    assert!(room.poll_timeout().is_some_and(|wake| wake <= grace_end));
    let later = room.handle_timeout(clock.at(71.0));
    assert!(
        later
            .reports
            .iter()
            .any(|report| matches!(report, RoomReport::TokensRevoked(t) if t.contains(&tokens[1]))),
        "bob's token is revoked: {:?}",
        later.reports
    );
}

#[test]
fn resuming_moves_the_seat_and_closes_the_old_connection() {
    let Table(clock, mut room, alice, _, tokens) = table("apple", false);
    let again = ConnIds::new(NodeId(2)).next();
    let effects = room.handle(
        RoomInput::Resume {
            conn: again,
            token: tokens[0].clone(),
            door: Door::App,
        },
        clock.at(5.0),
    );
    assert_eq!(signals_to(&effects, alice), [Signal::Replaced]);
    assert!(events_to(&effects, alice).contains(&ServerEvent::Quit));
    assert!(effects.left.contains(&alice));
    assert!(room.is_member(again) && !room.is_member(alice));
    assert!(matches!(
        signals_to(&effects, again)[..],
        [Signal::Seated { .. }]
    ));
    // The old connection missed all that (it was lost between nodes) and
    // asks for its seat again: it is told again, and the seat stays.
    let late = room.handle(
        RoomInput::Resume {
            conn: alice,
            token: tokens[0].clone(),
            door: Door::Tcp,
        },
        clock.at(6.0),
    );
    assert_eq!(signals_to(&late, alice), [Signal::Replaced]);
    assert!(
        signals_to(&late, again).is_empty(),
        "the new connection keeps it"
    );
    assert!(room.is_member(again) && !room.is_member(alice));
}

#[test]
fn chat_is_rate_limited_in_simulated_time() {
    let Table(clock, mut room, alice, bob, _) = table("apple", false);
    for i in 0..5 {
        let effects = room.handle(
            command(alice, RoomCommand::Say(format!("hi {i}"))),
            clock.at(3.0),
        );
        assert!(events_to(&effects, bob)
            .iter()
            .any(|event| matches!(event, ServerEvent::Chat { .. })));
    }
    let refused = room.handle(command(alice, RoomCommand::Say("hi".into())), clock.at(3.0));
    assert!(events_to(&refused, bob).is_empty(), "nothing reaches bob");
    assert!(matches!(
        &events_to(&refused, alice)[..],
        [ServerEvent::Error { message }] if message.contains("chatting too fast")
    ));
    let later = room.handle(command(alice, RoomCommand::Say("hi".into())), clock.at(5.0));
    assert!(
        !events_to(&later, bob).is_empty(),
        "one more after two seconds"
    );
}

#[test]
fn a_spectator_sees_the_game_and_the_players_hear_of_it() {
    let Table(clock, mut room, alice, _, _) = table("apple", false);
    let viewer = ConnIds::new(NodeId(2)).next();
    let effects = room.handle(RoomInput::spectator(viewer, "carol"), clock.at(3.0));
    assert!(events_to(&effects, viewer)
        .iter()
        .any(|event| matches!(event, ServerEvent::Snapshot { .. })));
    assert!(events_to(&effects, alice).contains(&ServerEvent::Watchers { count: 1 }));
    let moved = room.handle(letter(alice, "p"), clock.at(4.0));
    assert!(
        !events_to(&moved, viewer).is_empty(),
        "the spectator sees moves"
    );
}

#[test]
fn the_results_go_into_history_with_the_wall_clock_and_every_seat_is_freed() {
    let Table(clock, mut room, alice, _, tokens) = table("apple", true);
    let won = room.handle(
        command(alice, RoomCommand::Play(Move::Word("apple".to_owned()))),
        clock.at(12.0),
    );
    let events = events_to(&won, alice);
    let over = events
        .iter()
        .position(|event| matches!(event, ServerEvent::GameOver { .. }))
        .expect("the game is over");
    assert!(
        matches!(&events[over + 1], ServerEvent::Tally { games: 1, .. }),
        "the tally follows the results"
    );
    let record = won
        .writes
        .iter()
        .find_map(|write| match write {
            Write::RecordGame(record) => Some(record.clone()),
            _ => None,
        })
        .expect("the game is recorded");
    assert_eq!(record.winner.as_deref(), Some("alice"));
    assert_eq!(record.ended_at, clock.at(12.0).unix_millis);
    assert_eq!(record.started_at, clock.at(2.0).unix_millis);
    assert!(won.reports.iter().any(|report| matches!(
        report,
        RoomReport::TokensRevoked(revoked) if revoked.len() == 2 && revoked.contains(&tokens[0])
    )));
    assert_eq!(room.gauges().games_played, 1);
}

#[test]
fn a_failed_save_is_told_once_retried_whole_and_its_recovery_told() {
    let Table(clock, mut room, alice, _, _) = table("apple", true);
    let _ = room.handle(letter(alice, "p"), clock.at(3.0));
    let failed = room.handle_reports(
        vec![SaveReport::Failed {
            error: "disk full".to_owned(),
            records: Vec::new(),
        }],
        clock.at(3.5),
    );
    assert!(failed
        .reports
        .contains(&RoomReport::Saving { works: false }));
    assert!(events_to(&failed, alice).iter().any(
        |event| matches!(event, ServerEvent::Notice { message } if message.contains("cannot save"))
    ));
    assert!(room.is_unsaved());
    // Until the retry, play goes on unsaved.
    let waiting = room.handle(letter(alice, "l"), clock.at(4.0));
    assert!(waiting.writes.is_empty());
    let retry = clock.at(3.5).instant + Duration::from_secs(1);
    assert!(room.poll_timeout().is_some_and(|wake| wake <= retry));
    let attempt = room.handle_timeout(clock.at(4.5));
    assert!(
        attempt
            .writes
            .iter()
            .any(|write| matches!(write, Write::SaveRoom { .. })),
        "the retry saves the room whole: {:?}",
        attempt.writes
    );
    // The attempt fails too: the players were told already, and the next
    // attempt waits twice as long.
    let again = room.handle_reports(
        vec![SaveReport::Failed {
            error: "disk full".to_owned(),
            records: Vec::new(),
        }],
        clock.at(4.6),
    );
    assert!(again.reports.is_empty(), "{:?}", again.reports);
    assert!(events_to(&again, alice).is_empty(), "told once");
    let _ = room.handle_timeout(clock.at(5.6));
    let second = room.handle_timeout(clock.at(6.6));
    assert!(second
        .writes
        .iter()
        .any(|write| matches!(write, Write::SaveRoom { .. })));
    let recovered = room.handle_reports(vec![SaveReport::Recovered], clock.at(7.0));
    assert!(recovered
        .reports
        .contains(&RoomReport::Saving { works: true }));
    assert!(!room.is_unsaved());
}

#[test]
fn an_empty_room_closes_after_its_idle_time() {
    let clock = Clock::new();
    let mut room = room(RoomKind::Private, true, &clock);
    assert_eq!(
        room.poll_timeout(),
        Some(clock.at(600.0).instant),
        "it wakes when its idle time is up"
    );
    let _ = room.handle_timeout(clock.at(599.0));
    assert!(!room.is_idle());
    let _ = room.handle_timeout(clock.at(600.0));
    assert!(room.is_idle());
    let closed = room.close();
    assert!(closed.reports.contains(&RoomReport::Closed));
    assert!(closed
        .writes
        .iter()
        .any(|write| matches!(write, Write::DeleteRoom { code } if code == "H2W2S2")));
}

#[test]
fn only_the_host_changes_a_private_room_s_settings() {
    let clock = Clock::new();
    let ids = ConnIds::new(NodeId(1));
    let (host, guest) = (ids.next(), ids.next());
    let mut room = room(RoomKind::Private, false, &clock);
    let _ = room.handle(RoomInput::player(host, "alice"), clock.at(1.0));
    let _ = room.handle(RoomInput::player(guest, "bob"), clock.at(2.0));
    let refused = room.handle(command(guest, RoomCommand::Time(Some(45))), clock.at(3.0));
    assert!(matches!(
        &events_to(&refused, guest)[..],
        [ServerEvent::Error { message }] if message.contains("only the host (alice)")
    ));
    let changed = room.handle(command(host, RoomCommand::Time(Some(45))), clock.at(4.0));
    assert!(events_to(&changed, guest).iter().any(|event| matches!(
        event,
        ServerEvent::Settings {
            turn_seconds: Some(45),
            ..
        }
    )));
}

#[test]
fn a_restored_room_keeps_its_seats_away_and_one_that_cannot_go_on_revokes_them() {
    let Table(clock, mut room, alice, _, tokens) = table("apple", true);
    let _ = room.handle(letter(alice, "p"), clock.at(3.0));
    let save = room.to_save();
    let (back, effects) = RoomCore::restored(
        code(),
        save.clone(),
        defaults("apple"),
        true,
        token_source(),
        clock.at(100.0),
    );
    assert!(effects.reports.is_empty(), "{:?}", effects.reports);
    let mut back = back;
    assert_eq!(back.gauges().moves, 1);
    // A spectator sees both seats kept, away until their players resume.
    let viewer = ConnIds::new(NodeId(2)).next();
    let watch = RoomInput::spectator(viewer, "carol");
    let _ = back.handle(watch, clock.at(101.0));
    let who = back.handle(command(viewer, RoomCommand::Who), clock.at(102.0));
    match &events_to(&who, viewer)[..] {
        [ServerEvent::Who { players, .. }] => {
            assert_eq!(players.len(), 2);
            assert!(players.iter().all(|seat| seat.away), "{players:?}");
        }
        other => panic!("{other:?}"),
    }
    let resumed = back.handle(
        RoomInput::Resume {
            conn: alice,
            token: tokens[0].clone(),
            door: Door::Tcp,
        },
        clock.at(103.0),
    );
    assert!(matches!(
        signals_to(&resumed, alice)[..],
        [Signal::Seated { .. }]
    ));
    let mut broken = save;
    broken.game.word = String::new();
    let (_, effects) = RoomCore::restored(
        code(),
        broken,
        defaults("apple"),
        true,
        token_source(),
        clock.at(100.0),
    );
    assert!(effects.reports.iter().any(|report| matches!(
        report,
        RoomReport::TokensRevoked(revoked) if revoked.contains(&tokens[0])
    )));
}

#[test]
fn a_player_wins_while_the_other_is_away() {
    let Table(clock, mut room, alice, bob, _) = table("apple", false);
    let _ = room.handle(RoomInput::Gone { conn: bob }, clock.at(3.0));
    let won = room.handle(
        command(alice, RoomCommand::Play(Move::Word("apple".to_owned()))),
        clock.at(4.0),
    );
    assert!(events_to(&won, alice)
        .iter()
        .any(|event| matches!(event, ServerEvent::GameOver { .. })));
}

/// Wakes `room` at its next deadline (as its driver would): that moment
/// and the step's effects.
fn wake(room: &mut RoomCore, clock: &Clock) -> (f64, Effects) {
    let due = room.poll_timeout().expect("the room has something due");
    let secs = due.duration_since(clock.start).as_secs_f64();
    (secs, room.handle_timeout(clock.at(secs)))
}

/// Bob sits down in `room` (after its computer player).
fn seat_bob(room: &mut RoomCore, clock: &Clock) -> ConnId {
    let bob = ConnId {
        node: NodeId(1),
        seq: 99,
    };
    let _ = room.handle(RoomInput::player(bob, "bob"), clock.at(2.5));
    bob
}

/// A private room hosted by alice with a computer player of `level`.
fn room_with_computer(level: BotLevel, clock: &Clock) -> (RoomCore, ConnId) {
    let ids = ConnIds::new(NodeId(1));
    let alice = ids.next();
    let mut room = room(RoomKind::Private, true, clock);
    let _ = room.handle(RoomInput::player(alice, "alice"), clock.at(1.0));
    let added = room.handle(command(alice, RoomCommand::Bot(level)), clock.at(2.0));
    assert!(events_to(&added, alice).iter().any(|event| matches!(
        event,
        ServerEvent::Joined { name, computers, .. } if name == "Robo" && computers == &["Robo"]
    )));
    (room, alice)
}

#[test]
fn a_computer_player_moves_after_a_pause_through_the_rules_and_is_recorded_as_one() {
    let clock = Clock::new();
    let (mut room, alice) = room_with_computer(BotLevel::Hard, &clock);
    let _ = room.handle(command(alice, RoomCommand::Start), clock.at(3.0));
    let missed = room.handle(letter(alice, "z"), clock.at(4.0));
    assert!(events_to(&missed, alice).iter().any(|event| matches!(
        event,
        ServerEvent::TurnOf { name, .. } if name == "Robo"
    )));
    // The one word of the room's list fits: hard names it, after a pause
    // of one to three seconds.
    let (at, moved) = wake(&mut room, &clock);
    assert!(
        (5.0..=7.0).contains(&at),
        "the computer player moved at {at} s"
    );
    let events = events_to(&moved, alice);
    assert!(events.iter().any(|event| matches!(
        event,
        ServerEvent::WordNamed { name, correct: true, .. } if name == "Robo"
    )));
    assert!(events.iter().any(|event| matches!(
        event,
        ServerEvent::GameOver { scores, .. }
            if scores.iter().any(|score| score.name == "Robo" && score.computer)
    )));
    let record = moved
        .writes
        .iter()
        .find_map(|write| match write {
            Write::RecordGame(record) => Some(record.clone()),
            _ => None,
        })
        .expect("the game is recorded");
    let doors: Vec<&str> = record.players.iter().map(|p| p.door.as_str()).collect();
    assert_eq!(doors, ["tcp", "computer"]);
}

#[test]
fn a_computer_player_waits_while_its_only_person_is_away() {
    let clock = Clock::new();
    let (mut room, alice) = room_with_computer(BotLevel::Normal, &clock);
    let _ = room.handle(command(alice, RoomCommand::Start), clock.at(3.0));
    let _ = room.handle(letter(alice, "z"), clock.at(4.0));
    let _ = room.handle(RoomInput::Gone { conn: alice }, clock.at(4.5));
    // Only alice's grace (60 s) is due now: the computer player waits.
    let due = room.poll_timeout().unwrap();
    assert_eq!(due, clock.at(64.5).instant);
}

#[test]
fn computer_players_are_the_host_s_and_only_before_the_start() {
    let clock = Clock::new();
    let (mut room, alice) = room_with_computer(BotLevel::Easy, &clock);
    let bob = seat_bob(&mut room, &clock);
    let refusal = |room: &mut RoomCore, conn, command_sent, at| {
        let effects = room.handle(command(conn, command_sent), clock.at(at));
        match &events_to(&effects, conn)[..] {
            [ServerEvent::Error { message }] => message.clone(),
            other => panic!("not refused: {other:?}"),
        }
    };
    assert!(
        refusal(&mut room, bob, RoomCommand::Bot(BotLevel::Hard), 3.0)
            .contains("only the host (alice)")
    );
    assert!(
        refusal(&mut room, alice, RoomCommand::Unbot("bob".into()), 3.1)
            .contains("no computer player called bob")
    );
    assert!(
        refusal(&mut room, bob, RoomCommand::Unbot("Robo".into()), 3.2).contains("only the host")
    );
    let _ = room.handle(command(alice, RoomCommand::Start), clock.at(4.0));
    assert!(
        refusal(&mut room, alice, RoomCommand::Bot(BotLevel::Hard), 5.0)
            .contains("before the game starts")
    );
    // /unbot works at any time; the seat leaves as if it quit.
    let out = room.handle(
        command(alice, RoomCommand::Unbot("robo".into())),
        clock.at(6.0),
    );
    assert!(events_to(&out, bob)
        .iter()
        .any(|event| matches!(event, ServerEvent::Left { name } if name == "Robo")));
}

#[test]
fn a_quick_match_refuses_bot_and_fills_with_a_computer_after_its_wait() {
    let clock = Clock::new();
    let ids = ConnIds::new(NodeId(1));
    let (alice, carol) = (ids.next(), ids.next());
    let mut room = quick_room_with(&clock, |defaults| {
        defaults.bot_after = Some(Duration::from_secs(15));
    });
    let _ = room.handle(RoomInput::player(alice, "alice"), clock.at(1.0));
    let refused = room.handle(
        command(alice, RoomCommand::Bot(BotLevel::Hard)),
        clock.at(2.0),
    );
    assert!(matches!(&events_to(&refused, alice)[..],
        [ServerEvent::Error { message }] if message.contains("quick match")));
    let (at, filled) = wake(&mut room, &clock);
    assert_eq!(at, 16.0, "alice waited 15 s");
    assert!(events_to(&filled, alice).iter().any(|event| matches!(
        event,
        ServerEvent::Started { players, computers, .. }
            if players == &["alice", "Robo"] && computers == &["Robo"]
    )));
    assert!(filled.reports.contains(&RoomReport::GatheringOver));
    let late = room.handle(RoomInput::player(carol, "carol"), clock.at(17.0));
    assert_eq!(
        signals_to(&late, carol),
        [Signal::Refused { retry: true }],
        "a later player goes to the next game"
    );
}

#[test]
fn a_private_room_keeps_its_computer_players_for_the_next_game_and_after_a_restart() {
    let clock = Clock::new();
    let (mut room, alice) = room_with_computer(BotLevel::Hard, &clock);
    let _ = room.handle(command(alice, RoomCommand::Start), clock.at(3.0));
    let _ = room.handle(letter(alice, "z"), clock.at(4.0));
    let _ = wake(&mut room, &clock);
    // The game is over; alice comes back for the next one.
    let again = room.handle(RoomInput::player(alice, "alice"), clock.at(20.0));
    assert!(events_to(&again, alice).iter().any(|event| matches!(
        event,
        ServerEvent::Joined { name, .. } if name == "Robo"
    )));
    let save = room.to_save();
    assert_eq!(save.computers.len(), 1);
    let (restored, _) = RoomCore::restored(
        code(),
        save,
        defaults("apple"),
        true,
        token_source(),
        clock.at(30.0),
    );
    let seats = restored.game.seats();
    assert!(seats
        .iter()
        .any(|seat| seat.name == "Robo" && seat.computer == Some(BotLevel::Hard) && !seat.away));
    assert_eq!(restored.extras.computers().len(), 1);
}

#[test]
fn a_vote_to_remove_a_player_counts_for_a_minute() {
    let clock = Clock::new();
    let ids = ConnIds::new(NodeId(1));
    let (alice, bob, carol) = (ids.next(), ids.next(), ids.next());
    let mut room = quick_room_with(&clock, |defaults| defaults.players_to_start = 3);
    for (conn, name) in [(alice, "alice"), (bob, "bob"), (carol, "carol")] {
        let _ = room.handle(RoomInput::player(conn, name), clock.at(1.0));
    }
    let kick = |conn, at| {
        (
            command(conn, RoomCommand::VoteKick("bob".to_owned())),
            clock.at(at),
        )
    };
    let (input, at) = kick(alice, 10.0);
    let _ = room.handle(input, at);
    // Carol agrees 61 s later: alice's vote no longer counts.
    let (input, at) = kick(carol, 71.0);
    let late = room.handle(input, at);
    assert!(events_to(&late, bob).contains(&ServerEvent::KickVote {
        name: "carol".into(),
        target: "bob".into(),
        votes: 1,
        needed: 2,
    }));
    assert!(room.game.is_seated(room.seat_named("bob").unwrap()));
    // Alone, nobody removes another: with carol gone, alice's vote
    // against bob is one of two needed.
    let mut duel = quick_room_with(&clock, |_| {});
    let _ = duel.handle(RoomInput::player(alice, "alice"), clock.at(1.0));
    let _ = duel.handle(RoomInput::player(bob, "bob"), clock.at(1.0));
    let (input, at) = kick(alice, 2.0);
    let alone = duel.handle(input, at);
    assert!(events_to(&alone, bob).contains(&ServerEvent::KickVote {
        name: "alice".into(),
        target: "bob".into(),
        votes: 1,
        needed: 2,
    }));
    assert!(duel.seat_named("bob").is_ok());
    // Alice agrees again within the minute: bob is out.
    let (input, at) = kick(alice, 72.0);
    let out = room.handle(input, at);
    assert!(events_to(&out, carol)
        .iter()
        .any(|event| matches!(event, ServerEvent::Left { name } if name == "bob")));
    assert!(room.seat_named("bob").is_err());
}

#[test]
fn a_computer_move_waits_for_a_step_of_its_own_when_a_seat_leaves_in_the_same_wake() {
    let clock = Clock::new();
    let (mut room, alice) = room_with_computer(BotLevel::Hard, &clock);
    let bob = seat_bob(&mut room, &clock);
    // Turns longer than bob's grace, so only his leaving is due then.
    let _ = room.handle(command(alice, RoomCommand::Time(Some(300))), clock.at(2.8));
    let _ = room.handle(command(alice, RoomCommand::Start), clock.at(3.0));
    // Ring: alice, Robo, bob. Bob goes away; alice misses: Robo's turn.
    let _ = room.handle(RoomInput::Gone { conn: bob }, clock.at(3.5));
    let _ = room.handle(letter(alice, "z"), clock.at(4.0));
    // The room wakes late, after both Robo's pause and bob's grace.
    let late = room.handle_timeout(clock.at(70.0));
    let by_robo = |effects: &Effects| {
        events_to(effects, alice)
            .iter()
            .any(|event| matches!(event, ServerEvent::WordNamed { name, .. } if name == "Robo"))
    };
    assert!(events_to(&late, alice)
        .iter()
        .any(|event| matches!(event, ServerEvent::Left { name } if name == "bob")));
    assert!(!by_robo(&late), "one step, one kind of save");
    assert!(
        room.poll_timeout()
            .is_some_and(|due| due <= clock.at(70.0).instant),
        "Robo's move is still due"
    );
    let next = room.handle_timeout(clock.at(70.0));
    assert!(by_robo(&next), "Robo moves in the next step");
}

#[test]
fn a_lone_quick_match_player_waits_the_whole_time_after_another_leaves() {
    let clock = Clock::new();
    let ids = ConnIds::new(NodeId(1));
    let (alice, bob) = (ids.next(), ids.next());
    let mut room = quick_room_with(&clock, |defaults| {
        defaults.players_to_start = 3;
        defaults.bot_after = Some(Duration::from_secs(15));
    });
    let _ = room.handle(RoomInput::player(alice, "alice"), clock.at(1.0));
    let _ = room.handle(RoomInput::player(bob, "bob"), clock.at(10.0));
    let _ = room.handle(RoomInput::Gone { conn: alice }, clock.at(12.0));
    assert_eq!(
        room.poll_timeout(),
        Some(clock.at(27.0).instant),
        "bob's wait starts again when alice leaves"
    );
    let (_, filled) = wake(&mut room, &clock);
    assert!(events_to(&filled, bob).iter().any(|event| matches!(
        event,
        ServerEvent::Started { players, .. } if players.len() == 3
    )));
}

#[test]
fn a_remembered_computer_player_keeps_its_name_in_the_next_game() {
    let clock = Clock::new();
    let (mut room, alice) = room_with_computer(BotLevel::Hard, &clock);
    let _ = room.handle(
        command(alice, RoomCommand::Bot(BotLevel::Easy)),
        clock.at(2.1),
    );
    let _ = room.handle(
        command(alice, RoomCommand::Unbot("Robo".into())),
        clock.at(2.2),
    );
    let _ = room.handle(command(alice, RoomCommand::Start), clock.at(3.0));
    let _ = room.handle(
        command(alice, RoomCommand::Play(Move::Word("apple".into()))),
        clock.at(4.0),
    );
    let again = room.handle(RoomInput::player(alice, "alice"), clock.at(20.0));
    let joined: Vec<String> = events_to(&again, alice)
        .into_iter()
        .filter_map(|event| match event {
            ServerEvent::Joined { name, .. } => Some(name),
            _ => None,
        })
        .collect();
    assert_eq!(joined, ["alice", "Bolt"], "Bolt, not the first free name");
}

#[test]
fn a_computer_player_s_wins_keep_their_mark_after_it_is_gone() {
    let clock = Clock::new();
    let (mut room, alice) = room_with_computer(BotLevel::Hard, &clock);
    let _ = room.handle(command(alice, RoomCommand::Start), clock.at(3.0));
    let _ = room.handle(letter(alice, "z"), clock.at(4.0));
    let _ = wake(&mut room, &clock);
    let _ = room.handle(RoomInput::player(alice, "alice"), clock.at(20.0));
    let _ = room.handle(
        command(alice, RoomCommand::Unbot("Robo".into())),
        clock.at(21.0),
    );
    assert!(room.extras.computers().is_empty());
    assert!(matches!(room.tally_event(), ServerEvent::Tally { wins, .. }
        if wins.iter().any(|score| score.name == "Robo" && score.computer)));
}
