//! The page's game logic, without a browser.

use super::*;
use wordguess_protocol::LetterOutcome;

fn reduce(state: Rc<GameState>, actions: Vec<Action>) -> Rc<GameState> {
    actions
        .into_iter()
        .fold(state, |state, action| state.reduce(action))
}

fn ev(event: ServerEvent) -> Action {
    Action::Event(1, event)
}

/// A game of "apple" between alice (this page) and bob, alice to move.
fn playing() -> Rc<GameState> {
    reduce(
        Rc::new(GameState::default()),
        vec![
            Action::Connecting { generation: 1 },
            Action::NameSent("alice".into()),
            ev(ServerEvent::Welcome),
            Action::Connected(1),
            ev(ServerEvent::Accepted {
                name: "alice".into(),
            }),
            ev(ServerEvent::Joined {
                name: "alice".into(),
                players: vec!["alice".into()],
                needed: 2,
            }),
            ev(ServerEvent::Joined {
                name: "bob".into(),
                players: vec!["alice".into(), "bob".into()],
                needed: 2,
            }),
            ev(ServerEvent::Started {
                players: vec!["alice".into(), "bob".into()],
                masked: "*****".into(),
                alphabet: "abcdefghijklmnopqrstuvwxyz".into(),
            }),
            ev(ServerEvent::TurnOf {
                name: "alice".into(),
            }),
            ev(ServerEvent::YourTurn),
        ],
    )
}

#[test]
fn screens_follow_the_game_from_join_to_results() {
    let state = Rc::new(GameState::default());
    assert_eq!(state.screen(), Screen::Join);
    let waiting = reduce(
        state,
        vec![
            Action::Connecting { generation: 1 },
            ev(ServerEvent::Accepted {
                name: "alice".into(),
            }),
        ],
    );
    assert_eq!(waiting.screen(), Screen::Waiting);
    let state = playing();
    assert_eq!(state.screen(), Screen::Playing);
    assert!(state.my_turn);
    let over = reduce(
        state,
        vec![ev(ServerEvent::GameOver {
            word: "apple".into(),
            winner: Some("alice".into()),
            prize: 5,
            scores: vec![
                Score {
                    name: "alice".into(),
                    points: 10,
                },
                Score {
                    name: "bob".into(),
                    points: 0,
                },
            ],
        })],
    );
    assert_eq!(over.screen(), Screen::Results);
    assert_eq!(over.players[0].points, 10);
    assert_eq!(over.masked, "apple");
    assert!(!over.my_turn);
}

#[test]
fn named_letters_are_disabled_and_points_follow_the_server() {
    let state = reduce(
        playing(),
        vec![
            ev(ServerEvent::LetterNamed {
                name: "alice".into(),
                letter: "p".into(),
                outcome: LetterOutcome::Hit { count: 2 },
                total: 2,
            }),
            ev(ServerEvent::WordState {
                masked: "*pp**".into(),
            }),
            ev(ServerEvent::TurnOf {
                name: "alice".into(),
            }),
            ev(ServerEvent::YourTurn),
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
    let state = reduce(playing(), vec![Action::Moved]);
    assert!(!state.my_turn, "no double moves while waiting");
    let state = reduce(state, vec![ev(ServerEvent::TurnOf { name: "bob".into() })]);
    assert!(!state.my_turn);
    assert!(!state.can_name("z"));
    assert_eq!(state.turn.as_deref(), Some("bob"));
}

#[test]
fn a_refused_name_shows_the_error_and_waits_for_another_name() {
    let state = reduce(
        Rc::new(GameState::default()),
        vec![
            Action::Connecting { generation: 1 },
            ev(ServerEvent::Welcome),
            Action::Connected(1),
            ev(ServerEvent::Error {
                message: "the name 'bob' is taken".into(),
            }),
        ],
    );
    assert_eq!(state.screen(), Screen::Join);
    assert!(state.awaiting_name());
    assert_eq!(state.error.as_deref(), Some("the name 'bob' is taken"));
}

#[test]
fn losing_the_connection_shows_a_clear_banner() {
    let state = reduce(
        playing(),
        vec![Action::Disconnected(1, "connection closed".into())],
    );
    assert_eq!(
        state.connection,
        Connection::Lost("connection closed".into())
    );
    assert_eq!(
        state.banner().as_deref(),
        Some("Disconnected from the server: connection closed")
    );
    assert!(!state.my_turn);
    assert_eq!(state.screen(), Screen::Join);
}

#[test]
fn a_server_shutdown_is_explained() {
    let state = reduce(
        playing(),
        vec![
            ev(ServerEvent::Notice {
                message: "The server is shutting down. Goodbye!".into(),
            }),
            ev(ServerEvent::Quit),
            Action::Disconnected(1, "closed".into()),
        ],
    );
    assert_eq!(state.connection, Connection::Offline);
    assert_eq!(
        state.banner().as_deref(),
        Some("The server ended the game. The server is shutting down. Goodbye!")
    );
}

#[test]
fn a_normal_end_is_not_an_error() {
    let state = reduce(
        playing(),
        vec![
            ev(ServerEvent::GameOver {
                word: "apple".into(),
                winner: None,
                prize: 5,
                scores: vec![],
            }),
            ev(ServerEvent::Quit),
            Action::Disconnected(1, "closed".into()),
        ],
    );
    assert_eq!(state.banner(), None);
    assert_eq!(state.screen(), Screen::Results);
}

#[test]
fn events_from_a_previous_connection_are_ignored() {
    let state = reduce(playing(), vec![Action::Connecting { generation: 2 }]);
    let after = reduce(
        state.clone(),
        vec![
            Action::Disconnected(1, "old socket closed".into()),
            Action::Event(1, ServerEvent::YourTurn),
        ],
    );
    assert_eq!(after, state);
    assert_eq!(after.connection, Connection::Connecting);
    assert_eq!(after.name, "alice", "play again keeps the name");
}

#[test]
fn a_player_who_leaves_is_removed_from_the_ring() {
    let state = reduce(
        playing(),
        vec![ev(ServerEvent::Left { name: "bob".into() })],
    );
    assert_eq!(state.players.len(), 1);
}
