//! The page's game logic, without a browser.

use super::*;
use records::{ApiAnswer, Remote};
use wordguess_protocol::{LetterOutcome, ResumeToken, SeatView};

const TOKEN: &str = "0123456789abcdef0123456789abcdef";

fn reduce(state: Rc<GameState>, actions: Vec<Action>) -> Rc<GameState> {
    actions
        .into_iter()
        .fold(state, |state, action| state.reduce(action))
}

/// An event on the current connection.
fn ev(state: &GameState, event: ServerEvent) -> Action {
    Action::Event(state.generation, event)
}

/// Applies events on the current connection, one by one.
fn events(mut state: Rc<GameState>, events: Vec<ServerEvent>) -> Rc<GameState> {
    for event in events {
        let action = ev(&state, event);
        state = state.reduce(action);
    }
    state
}

fn code() -> RoomCode {
    RoomCode::parse("K7QXPM").unwrap()
}

fn enter(state: Rc<GameState>, entry: Entry, name: &str) -> Rc<GameState> {
    let state = reduce(
        state,
        vec![Action::Enter {
            entry,
            name: name.into(),
        }],
    );
    let generation = state.generation;
    reduce(state, vec![Action::Connected(generation)])
}

fn room(host: Option<&str>) -> Vec<ServerEvent> {
    vec![
        ServerEvent::Room {
            code: "K7QXPM".into(),
            invite: String::new(),
            tcp_port: 4000,
        },
        ServerEvent::Token {
            token: TOKEN.into(),
            grace_seconds: 120,
        },
        ServerEvent::Settings {
            language: Language::Both,
            turn_seconds: Some(30),
            custom_words: None,
        },
        ServerEvent::Joined {
            name: "alice".into(),
            players: vec!["alice".into()],
            needed: 2,
            host: host.map(str::to_owned),
            computers: vec![],
        },
    ]
}

/// alice (this page) in a room of `host` (`None`: quick match), alone.
fn gathering(entry: Entry, host: Option<&str>) -> Rc<GameState> {
    let state = enter(Rc::new(GameState::default()), entry, "alice");
    let mut all = vec![
        ServerEvent::Welcome,
        ServerEvent::Accepted {
            name: "alice".into(),
        },
    ];
    all.extend(room(host));
    events(state, all)
}

/// A game of "apple" between alice (this page) and bob, alice to move, with
/// 30 s a turn; the page clock is at 10 s.
fn playing_in(entry: Entry, host: Option<&str>) -> Rc<GameState> {
    let state = reduce(gathering(entry, host), vec![Action::Clock(10_000)]);
    events(
        state,
        vec![
            ServerEvent::Joined {
                name: "bob".into(),
                players: vec!["alice".into(), "bob".into()],
                needed: 2,
                host: host.map(str::to_owned),
                computers: vec![],
            },
            ServerEvent::Started {
                players: vec!["alice".into(), "bob".into()],
                masked: "*****".into(),
                alphabet: "abcdefghijklmnopqrstuvwxyz".into(),
                computers: vec![],
            },
            ServerEvent::TurnOf {
                name: "alice".into(),
                seconds: Some(30),
            },
            ServerEvent::YourTurn,
        ],
    )
}

fn playing() -> Rc<GameState> {
    playing_in(Entry::QuickMatch, None)
}

fn game_over(state: Rc<GameState>) -> Rc<GameState> {
    events(
        state,
        vec![
            ServerEvent::GameOver {
                word: "apple".into(),
                winner: Some("alice".into()),
                prize: 5,
                scores: vec![
                    Score {
                        name: "alice".into(),
                        points: 10,
                        computer: false,
                    },
                    Score {
                        name: "bob".into(),
                        points: 0,
                        computer: false,
                    },
                ],
            },
            ServerEvent::Tally {
                games: 1,
                wins: vec![Score {
                    name: "alice".into(),
                    points: 1,
                    computer: false,
                }],
            },
            ServerEvent::Quit,
        ],
    )
}

fn lose_connection(state: Rc<GameState>) -> Rc<GameState> {
    let generation = state.generation;
    reduce(
        state,
        vec![Action::Disconnected(
            generation,
            Closed::Lost("the connection was lost".into()),
        )],
    )
}

fn saved_seat() -> SavedSeat {
    SavedSeat {
        token: ResumeToken::parse(TOKEN).unwrap(),
        room: Some(code()),
        name: "alice".into(),
        grace_seconds: 120,
    }
}

fn lines(state: &GameState) -> Vec<String> {
    state.socket().expect("a connection is wanted").lines
}

#[test]
fn screens_follow_the_game_from_join_to_results() {
    let state = Rc::new(GameState::default());
    assert_eq!(state.screen(), Screen::Join);
    assert_eq!(state.socket(), None);
    let waiting = gathering(Entry::QuickMatch, None);
    assert_eq!(waiting.screen(), Screen::Waiting);
    let state = playing();
    assert_eq!(state.screen(), Screen::Playing);
    assert!(state.my_turn);
    let over = game_over(state);
    assert_eq!(over.screen(), Screen::Results);
    assert_eq!(over.players[0].points, 10);
    assert_eq!(over.masked, "apple");
    assert!(!over.my_turn);
}

#[test]
fn each_way_in_sends_its_opening_lines() {
    let token = ResumeToken::parse(TOKEN).unwrap();
    assert_eq!(Entry::QuickMatch.opening_lines("Оля"), vec!["Оля"]);
    assert_eq!(Entry::Create.opening_lines("Оля"), vec!["/new", "Оля"]);
    assert_eq!(
        Entry::VersusComputer.opening_lines("Оля"),
        vec!["/new", "Оля", "/bot normal", "/start"],
        "one click: a room, a computer player, the start"
    );
    assert_eq!(
        Entry::Join(code()).opening_lines("Оля"),
        vec!["/join K7QXPM", "Оля"]
    );
    assert_eq!(
        Entry::Watch(code()).opening_lines("Оля"),
        vec!["/watch K7QXPM", "Оля"]
    );
    assert_eq!(
        Entry::Resume(token).opening_lines("Оля"),
        vec![format!("/resume {TOKEN}")]
    );
}

#[test]
fn choosing_a_way_in_opens_a_new_connection() {
    let state = reduce(
        Rc::new(GameState::default()),
        vec![Action::Enter {
            entry: Entry::Create,
            name: "alice".into(),
        }],
    );
    assert_eq!(state.connection, Connection::Connecting);
    assert_eq!(state.badge().1, "Connecting…");
    assert_eq!(
        state.socket(),
        Some(SocketPlan {
            generation: 1,
            lines: vec!["/new".into(), "alice".into()],
        })
    );
}

#[test]
fn named_letters_are_disabled_and_points_follow_the_server() {
    let state = events(
        playing(),
        vec![
            ServerEvent::LetterNamed {
                name: "alice".into(),
                letter: "p".into(),
                outcome: LetterOutcome::Hit { count: 2 },
                total: 2,
            },
            ServerEvent::WordState {
                masked: "*pp**".into(),
            },
            ServerEvent::TurnOf {
                name: "alice".into(),
                seconds: None,
            },
            ServerEvent::YourTurn,
        ],
    );
    assert!(!state.can_name("p"));
    assert!(state.can_name("a"));
    assert_eq!(state.players[0].points, 2);
    assert_eq!(state.masked, "*pp**");
    assert!(state
        .log
        .contains(&"alice named the letter 'p': 2 in the word, +2 points (total 2).".to_owned()));
}

#[test]
fn it_is_my_turn_only_after_the_server_says_so() {
    let state = reduce(
        playing(),
        vec![Action::Sent(ClientCommand::Letter("z".into()))],
    );
    assert!(!state.my_turn, "no double moves while waiting");
    assert_eq!(state.turn_line(), "Sending…");
    let state = events(
        state,
        vec![ServerEvent::TurnOf {
            name: "bob".into(),
            seconds: Some(30),
        }],
    );
    assert!(!state.my_turn);
    assert!(!state.can_name("z"));
    assert_eq!(state.turn.as_deref(), Some("bob"));
}

#[test]
fn chatting_does_not_give_up_the_turn() {
    let state = reduce(
        playing(),
        vec![Action::Sent(ClientCommand::Say("hi".into()))],
    );
    assert!(state.my_turn);
}

#[test]
fn the_countdown_follows_the_turn_and_ticks_locally() {
    let state = playing();
    // The turn began at 10 s on the page clock with 30 s to go.
    assert_eq!(state.seconds_left(10_000), Some(30));
    assert_eq!(state.seconds_left(11_000), Some(29));
    assert_eq!(state.seconds_left(38_500), Some(2));
    assert_eq!(state.seconds_left(39_500), Some(1));
    assert_eq!(state.seconds_left(45_000), Some(0), "never below zero");
    // The server's warning corrects a drifting clock.
    let warned = reduce(
        state.clone(),
        vec![
            Action::Clock(32_000),
            ev(&state, ServerEvent::TurnWarning { seconds: 5 }),
        ],
    );
    assert_eq!(warned.seconds_left(32_000), Some(5));
    // A room without a time limit shows no countdown.
    let untimed = events(
        warned,
        vec![ServerEvent::TurnOf {
            name: "bob".into(),
            seconds: None,
        }],
    );
    assert_eq!(untimed.seconds_left(32_000), None);
    let over = game_over(playing());
    assert_eq!(over.seconds_left(10_000), None);
}

#[test]
fn a_refused_name_shows_the_error_and_the_next_try_is_a_new_connection() {
    let state = enter(Rc::new(GameState::default()), Entry::Join(code()), "bob");
    let refused = events(
        state,
        vec![
            ServerEvent::Welcome,
            ServerEvent::Error {
                message: "the name 'bob' is taken".into(),
            },
        ],
    );
    assert_eq!(refused.screen(), Screen::Join);
    assert_eq!(refused.error.as_deref(), Some("the name 'bob' is taken"));
    assert_eq!(refused.socket(), None, "the refused connection is closed");
    assert_eq!(
        refused.invite,
        Some(code()),
        "the join screen stays on the room"
    );
    assert_eq!(refused.name, "bob");
    // A late answer on the refused connection changes nothing.
    let late = events(
        refused.clone(),
        vec![ServerEvent::Accepted { name: "bob".into() }],
    );
    assert_eq!(late, refused);
    let again = reduce(
        refused,
        vec![Action::Enter {
            entry: Entry::Join(code()),
            name: "bobby".into(),
        }],
    );
    assert_eq!(
        again.socket().map(|s| (s.generation, s.lines)),
        Some((2, vec!["/join K7QXPM".into(), "bobby".into()]))
    );
    assert_eq!(again.error, None);
}

#[test]
fn losing_the_connection_without_a_seat_shows_a_clear_banner() {
    let state = enter(Rc::new(GameState::default()), Entry::QuickMatch, "alice");
    let state = lose_connection(state);
    assert_eq!(
        state.connection,
        Connection::Lost("the connection was lost".into())
    );
    assert_eq!(
        state.banner().as_deref(),
        Some("Disconnected from the server: the connection was lost")
    );
    assert_eq!(state.badge().1, "Disconnected");
    assert_eq!(state.retry_timer(), None);
    assert_eq!(state.screen(), Screen::Join);
}

#[test]
fn the_token_is_kept_with_the_room_and_the_name() {
    let state = gathering(Entry::Create, Some("alice"));
    let seat = state.seat.clone().expect("a seat to keep");
    assert_eq!(seat, saved_seat());
    assert_eq!(SavedSeat::decode(&seat.encode()), Some(seat));
}

#[test]
fn a_kept_seat_survives_damage_checks_only_when_intact() {
    let seat = SavedSeat {
        room: None,
        name: "Богдан Іваненко".into(),
        ..saved_seat()
    };
    assert_eq!(SavedSeat::decode(&seat.encode()), Some(seat));
    for damaged in [
        "",
        "v2\n0123456789abcdef0123456789abcdef\nK7QXPM\n120\nalice",
        "v1\nnot-a-token\nK7QXPM\n120\nalice",
        "v1\n0123456789abcdef0123456789abcdef\nK7QXPM\nsoon\nalice",
        "v1\n0123456789abcdef0123456789abcdef\nK7QXPM\n120\n",
    ] {
        assert_eq!(SavedSeat::decode(damaged), None, "{damaged:?}");
    }
}

#[test]
fn a_lost_seat_is_taken_back_with_growing_waits() {
    let state = lose_connection(playing());
    assert_eq!(state.screen(), Screen::Playing, "the game stays in view");
    assert!(!state.my_turn);
    assert_eq!(state.turn_line(), "Reconnecting…");
    assert_eq!(state.seconds_left(10_000), None);
    assert_eq!(
        state.banner().as_deref(),
        Some("Disconnected from the server: the connection was lost")
    );
    assert_eq!(state.badge().1, "Disconnected");
    assert_eq!(state.socket(), None);
    assert_eq!(state.retry_timer(), Some((state.generation, 500)));

    // The first attempt fails: the next wait is longer.
    let generation = state.generation;
    let state = reduce(state, vec![Action::Retry(generation)]);
    assert_eq!(lines(&state), vec![format!("/resume {TOKEN}")]);
    assert!(state.reconnecting());
    assert_eq!(state.badge().1, "Reconnecting…");
    assert!(state.banner().is_some(), "the banner stays while retrying");
    let state = lose_connection(state);
    assert_eq!(state.retry_timer(), Some((state.generation, 1000)));

    // The second attempt takes the seat back.
    let generation = state.generation;
    let state = reduce(state, vec![Action::Retry(generation)]);
    let generation = state.generation;
    let state = reduce(state, vec![Action::Connected(generation)]);
    let state = events(
        state,
        vec![
            ServerEvent::Accepted {
                name: "alice".into(),
            },
            ServerEvent::Room {
                code: "K7QXPM".into(),
                invite: String::new(),
                tcp_port: 4000,
            },
            ServerEvent::Token {
                token: TOKEN.into(),
                grace_seconds: 120,
            },
            ServerEvent::Snapshot {
                players: vec![
                    SeatView {
                        name: "alice".into(),
                        points: 2,
                        away: false,
                        host: false,
                        computer: None,
                    },
                    SeatView {
                        name: "bob".into(),
                        points: 1,
                        away: false,
                        host: false,
                        computer: None,
                    },
                ],
                started: true,
                needed: 2,
                masked: "*pp**".into(),
                alphabet: "abcdefghijklmnopqrstuvwxyz".into(),
                tried: vec!["p".into(), "q".into()],
                turn: Some("alice".into()),
                seconds_left: Some(12),
            },
            ServerEvent::YourTurn,
        ],
    );
    assert_eq!(state.screen(), Screen::Playing);
    assert_eq!(state.banner(), None);
    assert_eq!(state.badge().1, "Connected");
    assert!(state.my_turn);
    assert!(!state.can_name("q"));
    assert_eq!(state.masked, "*pp**");
    assert_eq!(state.players[1].points, 1);
    assert_eq!(state.seconds_left(state.now), Some(12));
    assert_eq!(
        state.info.as_deref(),
        Some("Welcome back, alice! You have your seat again.")
    );
    assert_eq!(
        state.turn_line(),
        "Your turn! Pick a letter or guess the word."
    );
    let turn_again = events(
        state.clone(),
        vec![ServerEvent::TurnOf {
            name: "alice".into(),
            seconds: Some(30),
        }],
    );
    assert!(
        turn_again.info.is_some(),
        "the turn given anew on resuming is no move"
    );
    let moved_on = events(
        turn_again,
        vec![
            ServerEvent::LetterNamed {
                name: "alice".into(),
                letter: "z".into(),
                outcome: LetterOutcome::Miss,
                total: 2,
            },
            ServerEvent::TurnOf {
                name: "bob".into(),
                seconds: Some(30),
            },
        ],
    );
    assert_eq!(
        moved_on.info, None,
        "the welcome goes once the game moves on"
    );
    assert_eq!(moved_on.turn_line(), "Waiting for bob…");
    // A later loss starts again from the shortest wait.
    let state = lose_connection(state);
    assert_eq!(state.retry_timer(), Some((state.generation, 500)));
}

#[test]
fn waits_double_from_half_a_second_up_to_ten() {
    let waits: Vec<u32> = (0..8).map(retry_delay_ms).collect();
    assert_eq!(
        waits,
        vec![500, 1000, 2000, 4000, 8000, 10_000, 10_000, 10_000]
    );
    assert_eq!(retry_delay_ms(u32::MAX), 10_000);
}

#[test]
fn the_page_stops_trying_once_the_seat_must_be_gone() {
    let state = events(
        playing(),
        vec![ServerEvent::Token {
            token: TOKEN.into(),
            grace_seconds: 5,
        }],
    );
    let mut state = lose_connection(state);
    // 0.5 + 1 + 2 s fit in the 5 s grace; the next 4 s wait does not.
    for _ in 0..3 {
        let (generation, _) = state.retry_timer().expect("still trying");
        state = lose_connection(reduce(state, vec![Action::Retry(generation)]));
    }
    assert_eq!(state.retry_timer(), None);
    assert!(matches!(state.connection, Connection::Lost(_)));
    assert_eq!(state.seat, None, "the stored seat is forgotten");
    assert_eq!(state.screen(), Screen::Join);
    assert_eq!(state.name, "alice");
}

#[test]
fn the_network_coming_back_retries_at_once() {
    let state = lose_connection(playing());
    let generation = state.generation;
    let state = reduce(state, vec![Action::RetryNow]);
    assert_eq!(state.generation, generation + 1);
    assert_eq!(lines(&state), vec![format!("/resume {TOKEN}")]);
    // The old timer then fires for nothing.
    let after = reduce(state.clone(), vec![Action::Retry(generation)]);
    assert_eq!(after, state);
}

#[test]
fn leaving_stops_reconnecting_and_forgets_the_seat() {
    let state = reduce(lose_connection(playing()), vec![Action::Leave]);
    assert_eq!(state.retry_timer(), None);
    assert_eq!(state.socket(), None);
    assert_eq!(state.seat, None);
    assert_eq!(state.banner(), None);
    assert_eq!(state.screen(), Screen::Join);
    assert_eq!(state.name, "alice");
}

#[test]
fn a_page_load_with_a_kept_seat_takes_it_back() {
    let state = GameState::at_start(Some(saved_seat()), None);
    assert_eq!(state.screen(), Screen::Resuming);
    assert_eq!(state.badge().1, "Reconnecting…");
    assert_eq!(lines(&state), vec![format!("/resume {TOKEN}")]);
    // The same room's invite link resumes too.
    let state = GameState::at_start(Some(saved_seat()), Some(code()));
    assert_eq!(state.screen(), Screen::Resuming);
}

#[test]
fn an_invite_to_another_room_does_not_resume_the_old_seat() {
    let other = RoomCode::parse("ABCDEF").unwrap();
    let state = GameState::at_start(Some(saved_seat()), Some(other.clone()));
    assert_eq!(state.screen(), Screen::Join);
    assert_eq!(state.socket(), None);
    assert_eq!(state.invite, Some(other));
    assert_eq!(state.seat, Some(saved_seat()), "kept until another seat");
    let joined = reduce(
        Rc::new(state),
        vec![Action::Enter {
            entry: Entry::QuickMatch,
            name: "alice".into(),
        }],
    );
    assert_eq!(joined.seat, None);
}

#[test]
fn a_refused_resume_forgets_the_seat_and_shows_the_join_screen() {
    let state = Rc::new(GameState::at_start(Some(saved_seat()), None));
    let state = events(
        state,
        vec![ServerEvent::Error {
            message: "that seat is gone".into(),
        }],
    );
    assert_eq!(state.screen(), Screen::Join);
    assert_eq!(state.seat, None);
    assert_eq!(state.socket(), None);
    assert_eq!(state.retry_timer(), None);
    assert_eq!(state.name, "alice", "the name field is filled in");
    assert_eq!(
        state.error.as_deref(),
        Some("Could not take your seat back: that seat is gone")
    );
}

#[test]
fn a_seat_moved_to_another_tab_is_not_taken_back() {
    let state = events(
        playing(),
        vec![
            ServerEvent::Notice {
                message: "Your seat moved to another connection.".into(),
            },
            ServerEvent::Quit,
        ],
    );
    let state = lose_connection(state);
    assert_eq!(state.connection, Connection::Offline);
    assert_eq!(state.retry_timer(), None);
    assert_eq!(state.socket(), None);
    assert_eq!(
        state.seat,
        Some(saved_seat()),
        "the other tab still uses it"
    );
    assert_eq!(
        state.banner().as_deref(),
        Some("The server ended the game. Your seat moved to another connection.")
    );
}

#[test]
fn a_server_shutdown_is_explained() {
    let state = events(
        playing(),
        vec![
            ServerEvent::Notice {
                message: "The server is shutting down. Goodbye!".into(),
            },
            ServerEvent::Quit,
        ],
    );
    let state = lose_connection(state);
    assert_eq!(state.connection, Connection::Offline);
    assert_eq!(
        state.banner().as_deref(),
        Some("The server ended the game. The server is shutting down. Goodbye!")
    );
}

#[test]
fn a_normal_end_is_not_an_error() {
    let state = lose_connection(game_over(playing()));
    assert_eq!(state.banner(), None);
    assert_eq!(state.screen(), Screen::Results);
    assert_eq!(state.badge(), ("done", "Game over"));
    assert_eq!(state.seat, None, "a finished game's seat is forgotten");
    assert_eq!(state.retry_timer(), None);
    assert_eq!(state.tally.as_ref().map(|t| t.games), Some(1));
}

#[test]
fn play_again_stays_in_a_private_room() {
    let over = game_over(playing_in(Entry::Create, Some("alice")));
    assert_eq!(over.play_again(), Entry::Join(code()));
    let again = reduce(
        over.clone(),
        vec![Action::Enter {
            entry: over.play_again(),
            name: over.chosen_name(),
        }],
    );
    assert_eq!(lines(&again), vec!["/join K7QXPM", "alice"]);
    assert_eq!(again.screen(), Screen::Join, "until the server answers");
    // A quick match finds the next game with whoever is there.
    assert_eq!(game_over(playing()).play_again(), Entry::QuickMatch);
}

#[test]
fn the_host_may_start_once_enough_players_are_in() {
    let host = gathering(Entry::Create, Some("alice"));
    assert!(host.is_host());
    assert!(!host.can_start(), "alone");
    assert!(host.private_room);
    assert_eq!(
        host.settings.as_ref().and_then(|s| s.turn_seconds),
        Some(30)
    );
    let host = events(
        host,
        vec![ServerEvent::Joined {
            name: "bob".into(),
            players: vec!["alice".into(), "bob".into()],
            needed: 2,
            host: Some("alice".into()),
            computers: vec![],
        }],
    );
    assert!(host.can_start());
    assert_eq!(host.screen(), Screen::Waiting);
    // bob's page: not the host.
    let guest = enter(Rc::new(GameState::default()), Entry::Join(code()), "bob");
    let guest = events(
        guest,
        vec![
            ServerEvent::Accepted { name: "bob".into() },
            ServerEvent::Joined {
                name: "bob".into(),
                players: vec!["alice".into(), "bob".into()],
                needed: 2,
                host: Some("alice".into()),
                computers: vec![],
            },
        ],
    );
    assert!(!guest.is_host());
    assert!(!guest.can_start());
    assert_eq!(guest.host.as_deref(), Some("alice"));
}

#[test]
fn a_spectator_sees_the_game_but_never_moves() {
    let state = enter(Rc::new(GameState::default()), Entry::Watch(code()), "carol");
    let state = events(
        state,
        vec![
            ServerEvent::Accepted {
                name: "carol".into(),
            },
            ServerEvent::Room {
                code: "K7QXPM".into(),
                invite: String::new(),
                tcp_port: 4000,
            },
            ServerEvent::Snapshot {
                players: vec![
                    SeatView {
                        name: "alice".into(),
                        points: 3,
                        away: false,
                        host: true,
                        computer: None,
                    },
                    SeatView {
                        name: "bob".into(),
                        points: 0,
                        away: true,
                        host: false,
                        computer: None,
                    },
                ],
                started: true,
                needed: 2,
                masked: "a****".into(),
                alphabet: "abcdefghijklmnopqrstuvwxyz".into(),
                tried: vec!["a".into()],
                turn: Some("alice".into()),
                seconds_left: None,
            },
            ServerEvent::Watchers { count: 1 },
        ],
    );
    assert!(state.spectator);
    assert_eq!(state.screen(), Screen::Playing);
    assert_eq!(state.turn_line(), "It is alice's turn.");
    assert_eq!(state.host.as_deref(), Some("alice"));
    assert!(state.players[1].away);
    assert_eq!(state.watchers, 1);
    assert!(!state.can_name("p"));
    assert!(!state.is_host());
    assert_eq!(state.seat, None, "spectators hold no seat");
    let over = game_over(state);
    assert_eq!(over.watch_again(), Some(Entry::Watch(code())));
    assert_eq!(over.play_again(), Entry::Join(code()));
}

#[test]
fn a_lost_spectator_comes_back_watching() {
    let state = enter(Rc::new(GameState::default()), Entry::Watch(code()), "carol");
    let state = events(
        state,
        vec![
            ServerEvent::Accepted {
                name: "carol".into(),
            },
            ServerEvent::Room {
                code: "K7QXPM".into(),
                invite: String::new(),
                tcp_port: 4000,
            },
        ],
    );
    let state = lose_connection(state);
    let (generation, _) = state.retry_timer().expect("tries again");
    let state = reduce(state, vec![Action::Retry(generation)]);
    assert_eq!(lines(&state), vec!["/watch K7QXPM", "carol"]);
}

#[test]
fn players_away_and_back_and_who_is_watching() {
    let state = events(
        playing(),
        vec![ServerEvent::Away {
            name: "bob".into(),
            seconds: 120,
        }],
    );
    assert!(state.players[1].away);
    let state = events(
        state,
        vec![
            ServerEvent::Back { name: "bob".into() },
            ServerEvent::Who {
                players: vec![
                    SeatView {
                        name: "alice".into(),
                        points: 4,
                        away: false,
                        host: false,
                        computer: None,
                    },
                    SeatView {
                        name: "bob".into(),
                        points: 1,
                        away: false,
                        host: false,
                        computer: None,
                    },
                ],
                spectators: vec!["carol".into(), "dan".into()],
            },
        ],
    );
    assert!(!state.players[1].away);
    assert_eq!(state.players[0].points, 4);
    assert_eq!(state.watchers, 2);
    assert_eq!(state.spectators, vec!["carol", "dan"]);
    let state = events(state, vec![ServerEvent::Watchers { count: 1 }]);
    assert_eq!(state.watchers, 1);
    assert!(state.spectators.is_empty(), "which one left is unknown");
    let state = events(state, vec![ServerEvent::Left { name: "bob".into() }]);
    assert_eq!(state.players.len(), 1);
}

#[test]
fn chat_lines_go_to_the_chat_not_the_log() {
    let state = events(
        playing(),
        vec![ServerEvent::Chat {
            name: "bob".into(),
            text: "good luck".into(),
        }],
    );
    assert_eq!(
        state.chat,
        vec![ChatLine {
            name: "bob".into(),
            text: "good luck".into(),
        }]
    );
    assert!(!state.log.iter().any(|line| line.contains("good luck")));
    let many = events(
        state,
        (0..150)
            .map(|i| ServerEvent::Chat {
                name: "bob".into(),
                text: format!("line {i}"),
            })
            .collect(),
    );
    assert_eq!(many.chat.len(), 100);
    assert_eq!(many.chat.last().unwrap().text, "line 149");
}

#[test]
fn the_log_hides_tokens_and_protocol_lines() {
    let state = playing();
    assert!(!state.log.iter().any(|line| line.contains(TOKEN)));
    assert!(!state.log.iter().any(|line| line.starts_with('/')));
    assert!(state
        .log
        .iter()
        .any(|line| line.starts_with("Room K7QXPM: friends join with /join K7QXPM")));
}

#[test]
fn events_from_a_previous_connection_are_ignored() {
    let old = playing();
    let old_generation = old.generation;
    let state = reduce(
        old,
        vec![Action::Enter {
            entry: Entry::QuickMatch,
            name: "alice".into(),
        }],
    );
    let after = reduce(
        state.clone(),
        vec![
            Action::Disconnected(old_generation, Closed::Lost("old socket closed".into())),
            Action::Event(old_generation, ServerEvent::YourTurn),
        ],
    );
    assert_eq!(after, state);
    assert_eq!(after.connection, Connection::Connecting);
}

#[test]
fn invite_links_and_terminal_commands() {
    assert_eq!(invite_in_query("?room=k7qxpm"), Some(code()));
    assert_eq!(invite_in_query("?lang=uk&room=K7QXPM&x=1"), Some(code()));
    assert_eq!(invite_in_query("?room=K7QXP"), None);
    assert_eq!(invite_in_query(""), None);
    assert_eq!(
        invite_link("http://192.168.1.5:8080", "/", "K7QXPM"),
        "http://192.168.1.5:8080/?room=K7QXPM"
    );
    assert_eq!(
        nc_command("192.168.1.5", 4000, "K7QXPM").as_deref(),
        Some("nc 192.168.1.5 4000\n/join K7QXPM")
    );
    assert_eq!(
        nc_command("[::1]", 4000, "K7QXPM").as_deref(),
        Some("nc ::1 4000\n/join K7QXPM")
    );
    assert_eq!(nc_command("example.org", 0, "K7QXPM"), None);
}

#[test]
fn host_settings_are_checked_before_sending() {
    assert_eq!(time_command(" 45 "), Ok(ClientCommand::Time(Some(45))));
    assert!(time_command("2").is_err());
    assert!(time_command("soon").is_err());
    assert_eq!(
        wordlist_command("яблуко\nґанок  apple"),
        Ok(ClientCommand::WordList(Some(vec![
            "яблуко".into(),
            "ґанок".into(),
            "apple".into()
        ])))
    );
    assert!(wordlist_command("   ").is_err());
    assert!(wordlist_command("apple b4nana")
        .unwrap_err()
        .contains("b4nana"));
    let too_long = vec!["abcdefghijklmnopqrstuvwxyz"; 60].join(" ");
    assert!(wordlist_command(&too_long).is_err());
    let settings = RoomSettings {
        language: Language::Uk,
        turn_seconds: None,
        custom_words: None,
    };
    assert_eq!(
        settings.summary(),
        "Words: built-in, Ukrainian. Time: no time limit."
    );
    let settings = RoomSettings {
        turn_seconds: Some(45),
        custom_words: Some(12),
        ..settings
    };
    assert_eq!(
        settings.summary(),
        "Words: the room's own list of 12 words. Time: 45 s a turn."
    );
    assert_eq!(language_from("uk"), Some(Language::Uk));
    assert_eq!(language_from("fr"), None);
}

#[test]
fn chat_is_checked_before_sending() {
    assert_eq!(chat_command("  "), Ok(None));
    assert_eq!(
        chat_command("hi all"),
        Ok(Some(ClientCommand::Say("hi all".into())))
    );
    assert!(chat_command("\u{1b}[2J").is_err());
}

/// The server's goodbye before a restart, and its connection closing with
/// 1001.
fn server_restarts(state: Rc<GameState>) -> Rc<GameState> {
    let state = events(
        state,
        vec![
            ServerEvent::Notice {
                message: format!(
                    "The server is restarting; your game is saved. Reconnect and send \
                     /resume {TOKEN} within 120 s of its return to play on \
                     (wordguess-client and the browser app do this by themselves)."
                ),
            },
            ServerEvent::Quit,
        ],
    );
    let generation = state.generation;
    reduce(
        state,
        vec![Action::Disconnected(generation, Closed::GoingAway)],
    )
}

/// The next attempt to come back finds the server still down.
fn attempt_fails(state: Rc<GameState>) -> Rc<GameState> {
    let (generation, _) = state.retry_timer().expect("still trying");
    let state = reduce(state, vec![Action::Retry(generation)]);
    let generation = state.generation;
    reduce(
        state,
        vec![Action::Disconnected(
            generation,
            Closed::Lost("the server cannot be reached".into()),
        )],
    )
}

/// The next attempt reaches the server, which answers `answer`.
fn attempt_answered(state: Rc<GameState>, answer: Vec<ServerEvent>) -> Rc<GameState> {
    let (generation, _) = state.retry_timer().expect("still trying");
    let state = reduce(state, vec![Action::Retry(generation)]);
    assert_eq!(lines(&state), vec![format!("/resume {TOKEN}")]);
    let generation = state.generation;
    events(reduce(state, vec![Action::Connected(generation)]), answer)
}

#[test]
fn a_restarting_server_is_waited_for_and_the_game_goes_on() {
    let state = server_restarts(playing());
    assert_eq!(state.screen(), Screen::Playing, "the board stays in view");
    assert_eq!(state.turn_line(), "Reconnecting…");
    assert!(!state.can_name("a"));
    assert_eq!(
        state.banner().as_deref(),
        Some(
            "The server is restarting or shutting down. If it comes back with your game, \
             you play on where you left off."
        )
    );
    assert!(state.retry_timer().is_some());
    assert_eq!(state.seat, Some(saved_seat()), "the seat is kept");
    assert!(
        !state.log.iter().any(|line| line.contains(TOKEN)),
        "the goodbye is logged without the token"
    );
    assert!(state
        .log
        .iter()
        .any(|line| line.contains("send /resume (your token) within 120 s")));

    // The server is down for a while; then it is back with the game.
    let state = attempt_fails(attempt_fails(state));
    assert_eq!(state.screen(), Screen::Playing);
    assert!(state
        .banner()
        .unwrap()
        .starts_with("The server is restarting"));
    let state = attempt_answered(
        state,
        vec![
            ServerEvent::Welcome,
            ServerEvent::Accepted {
                name: "alice".into(),
            },
            ServerEvent::Room {
                code: "K7QXPM".into(),
                invite: String::new(),
                tcp_port: 4000,
            },
            ServerEvent::Token {
                token: TOKEN.into(),
                grace_seconds: 120,
            },
            ServerEvent::Snapshot {
                players: vec![
                    SeatView {
                        name: "alice".into(),
                        points: 2,
                        away: false,
                        host: false,
                        computer: None,
                    },
                    SeatView {
                        name: "bob".into(),
                        points: 1,
                        away: true,
                        host: false,
                        computer: None,
                    },
                ],
                started: true,
                needed: 2,
                masked: "app**".into(),
                alphabet: "abcdefghijklmnopqrstuvwxyz".into(),
                tried: vec!["p".into(), "z".into(), "a".into(), "q".into()],
                turn: Some("alice".into()),
                seconds_left: Some(120),
            },
            ServerEvent::YourTurn,
        ],
    );
    assert_eq!(state.screen(), Screen::Playing);
    assert_eq!(state.banner(), None);
    assert_eq!(state.badge().1, "Connected");
    assert_eq!(state.masked, "app**");
    assert_eq!(
        state.turn_line(),
        "Your turn! Pick a letter or guess the word."
    );
    assert!(state.can_name("l") && !state.can_name("q"));
    assert_eq!(
        state
            .players
            .iter()
            .map(|p| (p.name.as_str(), p.points, p.away))
            .collect::<Vec<_>>(),
        vec![("alice", 2, false), ("bob", 1, true)]
    );
    assert_eq!(
        state.info.as_deref(),
        Some("Welcome back, alice! You have your seat again.")
    );
    // A later loss is an ordinary one again.
    let state = lose_connection(state);
    assert_eq!(
        state.banner().as_deref(),
        Some("Disconnected from the server: the connection was lost")
    );
}

#[test]
fn a_restart_is_waited_for_longer_than_a_lost_connection() {
    let short_grace = |state: Rc<GameState>| {
        events(
            state,
            vec![ServerEvent::Token {
                token: TOKEN.into(),
                grace_seconds: 5,
            }],
        )
    };
    // The seat is kept 5 s after the server is back, however long the
    // restart takes: the page waits beyond those 5 s, for a while.
    let mut state = server_restarts(short_grace(playing()));
    let mut waited = 0;
    while let Some((_, delay_ms)) = state.retry_timer() {
        waited += delay_ms;
        state = attempt_fails(state);
    }
    assert!(
        (60_000..=125_000).contains(&waited),
        "waited {waited} ms for the server"
    );
    assert!(matches!(state.connection, Connection::Lost(_)));
    assert_eq!(state.screen(), Screen::Join);
    assert_eq!(
        state.banner().as_deref(),
        Some("Disconnected from the server: the server cannot be reached")
    );
    assert_eq!(state.seat, None);
    assert_eq!(state.name, "alice");
}

#[test]
fn a_restart_that_lost_the_seat_goes_back_to_the_join_screen() {
    let state = attempt_answered(
        server_restarts(playing()),
        vec![
            ServerEvent::Welcome,
            ServerEvent::Error {
                message: "that token no longer holds a seat".into(),
            },
        ],
    );
    assert_eq!(state.screen(), Screen::Join);
    assert_eq!(
        state.error.as_deref(),
        Some("Could not take your seat back: that token no longer holds a seat")
    );
    assert_eq!(state.banner(), None);
    assert_eq!(state.seat, None);
    assert_eq!(state.socket(), None);
    assert_eq!(state.retry_timer(), None);
    assert_eq!(state.name, "alice", "the name field is filled in");
}

#[test]
fn a_spectator_keeps_watching_after_a_restart() {
    let state = enter(Rc::new(GameState::default()), Entry::Watch(code()), "carol");
    let state = events(
        state,
        vec![
            ServerEvent::Accepted {
                name: "carol".into(),
            },
            ServerEvent::Room {
                code: "K7QXPM".into(),
                invite: String::new(),
                tcp_port: 4000,
            },
        ],
    );
    let state = server_restarts(state);
    assert_eq!(
        state.banner().as_deref(),
        Some(
            "The server is restarting or shutting down. If it comes back with your game, \
             you keep watching."
        )
    );
    let (generation, _) = state.retry_timer().expect("tries again");
    let state = reduce(state, vec![Action::Retry(generation)]);
    assert_eq!(lines(&state), vec!["/watch K7QXPM", "carol"]);
}

#[test]
fn the_end_of_a_game_is_not_a_restart() {
    let over = game_over(playing());
    let generation = over.generation;
    let state = reduce(
        over,
        vec![Action::Disconnected(generation, Closed::GoingAway)],
    );
    assert_eq!(state.screen(), Screen::Results);
    assert_eq!(state.connection, Connection::Offline);
    assert_eq!(state.banner(), None);
    assert_eq!(state.retry_timer(), None);
}

#[test]
fn the_page_waits_for_the_server_to_close_after_quit() {
    let state = events(playing(), vec![ServerEvent::Quit]);
    assert!(
        state.socket().is_some(),
        "how the server closes tells a restart from an end"
    );
}

/// The server's answer to an API request.
fn answer(status: u16, body: &str) -> Result<ApiAnswer, String> {
    Ok(ApiAnswer {
        status,
        body: body.into(),
    })
}

const LEADERBOARD: &str = r#"{"players":[
    {"name":"Webby","games":2,"wins":2,"points":18},
    {"name":"term","games":2,"wins":0,"points":3}]}"#;

#[test]
fn the_leaderboard_is_fetched_when_asked_and_shown_best_first() {
    let state = Rc::new(GameState::default());
    assert_eq!(state.leaderboard_request(), None);
    let state = reduce(state, vec![Action::ShowLeaderboard]);
    assert_eq!(state.leaderboard, Some(Remote::Loading(1)));
    let request = state.leaderboard_request().expect("a request");
    assert_eq!(request.path, "/api/leaderboard?limit=20");
    let state = reduce(
        state,
        vec![Action::Fetched(request.id, answer(200, LEADERBOARD))],
    );
    assert_eq!(state.leaderboard_request(), None, "asked once");
    let Some(Remote::Ready(players)) = &state.leaderboard else {
        panic!("no leaderboard: {:?}", state.leaderboard);
    };
    assert_eq!(
        players
            .iter()
            .map(|p| (p.name.as_str(), p.wins, p.points, p.games))
            .collect::<Vec<_>>(),
        vec![("Webby", 2, 18, 2), ("term", 0, 3, 2)]
    );
    assert_eq!(state.screen(), Screen::Join, "shown over the screen");

    // Opened again, it is fetched afresh; the older answer is ignored.
    let state = reduce(state, vec![Action::ShowLeaderboard]);
    let request = state.leaderboard_request().expect("a new request");
    assert_eq!(request.id, 2);
    let late = reduce(state.clone(), vec![Action::Fetched(1, answer(200, "{}"))]);
    assert_eq!(late, state);
    let state = reduce(state, vec![Action::HideLeaderboard]);
    assert_eq!(state.leaderboard, None);
    assert_eq!(state.leaderboard_request(), None);
}

#[test]
fn a_leaderboard_that_cannot_be_had_says_why() {
    let failed = |answer: Result<ApiAnswer, String>| {
        let state = reduce(Rc::new(GameState::default()), vec![Action::ShowLeaderboard]);
        let id = state.leaderboard_request().unwrap().id;
        match &reduce(state, vec![Action::Fetched(id, answer)]).leaderboard {
            Some(Remote::Failed(reason)) => reason.clone(),
            other => panic!("not a failure: {other:?}"),
        }
    };
    assert_eq!(
        failed(answer(
            503,
            r#"{"error":"this server keeps no history or leaderboard (it runs without a database)"}"#
        )),
        "this server keeps no history or leaderboard (it runs without a database)"
    );
    assert_eq!(
        failed(Err("the server cannot be reached".into())),
        "the server cannot be reached"
    );
    assert_eq!(
        failed(answer(502, "Bad Gateway")),
        "the server answered with status 502"
    );
    assert_eq!(
        failed(answer(200, "<html>")),
        "the server's answer could not be read"
    );
}

#[test]
fn the_rooms_last_games_are_fetched_once_it_has_finished_one() {
    let fresh = gathering(Entry::Create, Some("alice"));
    assert_eq!(fresh.history_request(), None, "no games yet");
    let over = game_over(playing_in(Entry::Create, Some("alice")));
    let request = over.history_request().expect("the room's games");
    assert_eq!(request.path, "/api/rooms/K7QXPM/history?limit=5");
    let body = r#"{"room":"K7QXPM","games":[{"room":"K7QXPM","word":"apple",
        "language":"en","players":[{"name":"alice","door":"app","points":10},
        {"name":"bob","door":"tcp","points":0}],"winner":"alice","moves":4,
        "started_at":1795610000000,"ended_at":1795610096000}]}"#;
    let state = reduce(over, vec![Action::Fetched(request.id, answer(200, body))]);
    let Some(Remote::Ready(games)) = &state.history else {
        panic!("no history: {:?}", state.history);
    };
    assert_eq!(games.len(), 1);
    assert_eq!(games[0].winner.as_deref(), Some("alice"));
    assert_eq!(records::game_scores(&games[0]), "alice 10, bob 0");

    // "Play again" in the room asks again when its tally comes.
    let again = enter(state.clone(), state.play_again(), "alice");
    assert_eq!(again.history, None);
    let again = events(
        again,
        vec![
            ServerEvent::Accepted {
                name: "alice".into(),
            },
            ServerEvent::Room {
                code: "K7QXPM".into(),
                invite: String::new(),
                tcp_port: 4000,
            },
            ServerEvent::Tally {
                games: 1,
                wins: vec![],
            },
        ],
    );
    let request = again.history_request().expect("asked again");
    assert!(request.id > 1, "numbers go on across connections");
}

#[test]
fn records_sent_on_the_socket_are_shown_not_logged() {
    let standing = Standing {
        name: "alice".into(),
        games: 1,
        wins: 1,
        points: 10,
    };
    let state = events(
        playing(),
        vec![
            ServerEvent::Leaderboard {
                players: vec![standing.clone()],
            },
            ServerEvent::History {
                room: "K7QXPM".into(),
                games: vec![],
            },
            // Another room's games are not this room's.
            ServerEvent::History {
                room: "ABCDEF".into(),
                games: vec![GameRecord {
                    room: "ABCDEF".into(),
                    word: "pear".into(),
                    language: "en".into(),
                    players: vec![],
                    winner: None,
                    moves: 0,
                    started_at: 0,
                    ended_at: 0,
                }],
            },
        ],
    );
    assert_eq!(state.leaderboard, Some(Remote::Ready(vec![standing])));
    assert_eq!(state.history, Some(Remote::Ready(vec![])));
    assert!(!state.log.iter().any(|line| line.contains("Leaderboard")));
    assert!(!state.log.iter().any(|line| line.contains("Last games")));
    assert!(state.my_turn, "a record is not a move");
}

#[test]
fn computer_players_are_marked_in_the_player_rows() {
    let host = gathering(Entry::VersusComputer, Some("alice"));
    assert!(host.private_room && host.is_host());
    let state = events(
        host,
        vec![ServerEvent::Joined {
            name: "Robo".into(),
            players: vec!["alice".into(), "Robo".into()],
            needed: 2,
            host: Some("alice".into()),
            computers: vec!["Robo".into()],
        }],
    );
    let marks: Vec<(String, bool)> = state
        .player_rows(false)
        .into_iter()
        .map(|row| (row.name, row.computer))
        .collect();
    assert_eq!(
        marks,
        [("alice".to_owned(), false), ("Robo".to_owned(), true)]
    );
    assert!(state.can_start(), "a computer player makes two");
    // A snapshot (after a reconnect) marks it too.
    let state = events(
        state,
        vec![ServerEvent::Snapshot {
            players: vec![SeatView {
                name: "Robo".into(),
                points: 4,
                away: false,
                host: false,
                computer: Some(wordguess_protocol::BotLevel::Hard),
            }],
            started: true,
            needed: 2,
            masked: "a****".into(),
            alphabet: String::new(),
            tried: vec![],
            turn: None,
            seconds_left: None,
        }],
    );
    assert!(state.player_rows(true)[0].computer);
}

#[test]
fn quick_match_players_may_vote_while_the_game_is_in_play() {
    assert!(
        !gathering(Entry::QuickMatch, None).may_vote(),
        "not before the start"
    );
    assert!(playing().may_vote());
    assert!(
        !playing_in(Entry::Create, Some("alice")).may_vote(),
        "a host removes"
    );
    assert!(!game_over(playing()).may_vote(), "not after the end");
}
