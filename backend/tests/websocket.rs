//! The WebSocket door over real sockets: plain text clients (like
//! `websocat`), JSON clients (like the browser app), and rings that mix
//! them with TCP players.

mod common;

use common::ws::{connect, event_until, next_text, send, text_until};
use common::{LineReader, Player};
use futures_util::SinkExt;
use tokio_tungstenite::tungstenite::Message;
use wordguess_backend::testkit::{start, TestOptions};
use wordguess_protocol::ServerEvent;

#[tokio::test]
async fn a_plain_websocket_client_and_a_tcp_player_share_a_ring_and_see_the_same_lines() {
    let server = start(TestOptions::new("apple", 2)).await;
    let mut web = connect(server.http, false).await;
    send(&mut web, "webby").await;
    text_until(&mut web, "Hello, webby!").await;
    let mut tcp = Player::join(server.game, "term").await;

    let web_lines = text_until(&mut web, "/turn").await;
    tcp.expect("It is webby's turn (120 s).").await;
    send(&mut web, "/letter p").await;
    let more = text_until(&mut web, "/turn").await;
    send(&mut web, "/word apple").await;
    let end = text_until(&mut web, "/quit").await;
    assert_eq!(next_text(&mut web).await, None, "closed after /quit");
    tcp.expect("/quit").await;

    let web_seen: Vec<String> = [web_lines, more, end].concat();
    let tcp_seen: Vec<&String> = tcp
        .seen
        .iter()
        .skip_while(|l| !l.starts_with("The game begins"))
        .collect();
    let web_from_start: Vec<&String> = web_seen
        .iter()
        .skip_while(|l| !l.starts_with("The game begins"))
        .filter(|l| *l != "/turn")
        .collect();
    assert_eq!(web_from_start, tcp_seen, "both doors carry the same lines");
    assert!(tcp.seen.contains(&"Results: webby 10, term 0.".to_owned()));
    server.shutdown().await;
}

#[tokio::test]
async fn json_clients_get_typed_events_and_play_with_tcp_players() {
    let server = start(TestOptions::new("ґанок", 2)).await;
    let mut tcp = Player::join(server.game, "term").await;
    let mut browser = connect(server.http, true).await;
    assert_eq!(
        next_text(&mut browser).await.as_deref(),
        Some(r#"{"type":"welcome"}"#)
    );
    send(&mut browser, "Browsy").await;
    let started = event_until(&mut browser, |e| matches!(e, ServerEvent::Started { .. })).await;
    assert_eq!(
        started,
        ServerEvent::Started {
            players: vec!["term".into(), "Browsy".into()],
            masked: "*****".into(),
            alphabet: wordguess_game::UKRAINIAN_ALPHABET.into(),
            computers: vec![],
        }
    );
    tcp.on_turn("/letter x").await;
    event_until(&mut browser, |e| *e == ServerEvent::YourTurn).await;
    send(&mut browser, "/letter н").await;
    let state = event_until(&mut browser, |e| matches!(e, ServerEvent::WordState { .. })).await;
    assert_eq!(
        state,
        ServerEvent::WordState {
            masked: "**н**".into()
        }
    );
    event_until(&mut browser, |e| *e == ServerEvent::YourTurn).await;
    send(&mut browser, "/word ґанок").await;
    let over = event_until(&mut browser, |e| matches!(e, ServerEvent::GameOver { .. })).await;
    let ServerEvent::GameOver { winner, scores, .. } = over else {
        unreachable!()
    };
    assert_eq!(winner.as_deref(), Some("Browsy"));
    let points: Vec<(String, u32)> = scores.into_iter().map(|s| (s.name, s.points)).collect();
    assert_eq!(
        points,
        vec![("term".into(), 0), ("Browsy".into(), 1 + 4 + 5)]
    );
    event_until(&mut browser, |e| *e == ServerEvent::Quit).await;
    tcp.expect("Results: term 0, Browsy 10.").await;
    server.shutdown().await;
}

#[tokio::test]
async fn two_websocket_players_play_a_game_to_the_end() {
    let server = start(TestOptions::new("apple", 2)).await;
    let mut first = connect(server.http, true).await;
    send(&mut first, "one").await;
    event_until(&mut first, |e| matches!(e, ServerEvent::Accepted { .. })).await;
    let mut second = connect(server.http, false).await;
    send(&mut second, "two").await;
    event_until(&mut first, |e| *e == ServerEvent::YourTurn).await;
    send(&mut first, "/letter q").await;
    text_until(&mut second, "/turn").await;
    send(&mut second, "/word apple").await;
    text_until(&mut second, "Results: one 0, two 10.").await;
    event_until(&mut first, |e| *e == ServerEvent::Quit).await;
    server.shutdown().await;
}

#[tokio::test]
async fn websocket_bad_input_gets_errors_and_overlong_messages_close() {
    let server = start(TestOptions::new("apple", 2)).await;
    let mut web = connect(server.http, false).await;
    send(&mut web, "\u{1b}[2Jx").await;
    let lines = text_until(
        &mut web,
        "Error: the name contains U+001B, which is not allowed; use letters, digits, spaces, punctuation and symbols",
    )
    .await;
    assert_eq!(lines.len(), 2, "welcome, then the error: {lines:?}");
    send(&mut web, "webby").await;
    text_until(&mut web, "Hello, webby!").await;
    web.send(Message::binary(vec![0xff, 0xfe])).await.unwrap();
    text_until(
        &mut web,
        "Error: the line is not valid UTF-8 text; send UTF-8 text",
    )
    .await;
    send(&mut web, "/letter a").await;
    text_until(
        &mut web,
        "Error: the game has not started yet; waiting for 1 more player(s)",
    )
    .await;
    send(&mut web, &"x".repeat(5000)).await;
    text_until(
        &mut web,
        "Error: the line is longer than 1024 bytes; closing the connection",
    )
    .await;
    assert_eq!(next_text(&mut web).await, None);
    server.shutdown().await;
}
