//! The palindrome service over real sockets.

mod common;

use common::{LineReader, Player};
use wordguess_backend::testkit::{start, TestOptions};

#[tokio::test]
async fn many_clients_at_once_get_one_answer_per_line() {
    let server = start(TestOptions::new("apple", 2)).await;
    let mut clients = Vec::new();
    for _ in 0..20 {
        clients.push(Player::connect_raw(server.palindrome).await);
    }
    let questions = [
        ("А роза упала на лапу Азора", "1"),
        ("Was it a car or a cat I saw?", "1"),
        ("hello", ""),
        ("Привіт", ""),
        ("12321", "1"),
    ];
    for client in &mut clients {
        let batch: String = questions.iter().map(|(q, _)| format!("{q}\n")).collect();
        client.send_bytes(batch.as_bytes()).await;
    }
    for client in &mut clients {
        for (question, answer) in questions {
            assert_eq!(
                client.next_line().await.as_deref(),
                Some(answer),
                "{question}"
            );
        }
    }
    server.shutdown().await;
}

#[tokio::test]
async fn bad_lines_get_an_error_line() {
    let server = start(TestOptions::new("apple", 2)).await;
    let mut client = Player::connect_raw(server.palindrome).await;
    client.send_bytes(b"\xff\xfe\nabba\n").await;
    assert_eq!(
        client.next_line().await.as_deref(),
        Some("error: the line is not valid UTF-8 text")
    );
    assert_eq!(client.next_line().await.as_deref(), Some("1"));
    client.send_bytes(&[b'a'; 3000]).await;
    assert_eq!(
        client.until_closed().await,
        vec!["error: the line is longer than 1024 bytes; closing the connection"]
    );
    server.shutdown().await;
}
