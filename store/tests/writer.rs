//! The writer under the server's load and failures: many games committing at
//! once, a full disk, closing, and writes after closing.

mod common;

use std::time::{Duration, Instant};

use common::{game, record, runtime, save_room, TempDb};
use wordguess_store::{GameRecord, StoreError, Write};

#[test]
fn two_hundred_concurrent_submits_all_commit() {
    let db = TempDb::new();
    let (store, writer) = db.open();

    let results = runtime().block_on(async {
        let tasks: Vec<_> = (0..200)
            .map(|index| {
                let writer = writer.clone();
                tokio::spawn(async move {
                    let room = format!("R{index:05}");
                    let finished = game(&room, index, &[("Alice", "ws", 1)], None);
                    writer
                        .submit(vec![save_room(&room, "{}"), Write::RecordGame(finished)])
                        .await
                })
            })
            .collect();
        let mut results = Vec::new();
        for task in tasks {
            results.push(task.await.expect("task finished"));
        }
        results
    });

    assert!(results.iter().all(Result::is_ok), "{results:?}");
    // Committed means visible to readers, before the writer closes.
    assert_eq!(store.recent_games(1_000).unwrap().len(), 200);
    assert_eq!(store.saved_rooms().unwrap().len(), 200);
    assert_eq!(store.standing("alice").unwrap().unwrap().games, 200);
    writer.close();
}

/// A game whose word is long enough that a few of them need a new page.
fn bulky_game(index: i64) -> GameRecord {
    let mut bulky = game("FULL00", 10_000 + index, &[("Alice", "tcp", 1)], None);
    bulky.word = "ґ".repeat(2_000);
    bulky
}

#[test]
fn a_full_disk_fails_writes_cleanly_and_keeps_what_was_committed() {
    let db = TempDb::new();
    let (_, writer) = db.open();
    let kept: Vec<_> = (0..5)
        .map(|index| game("KEPT00", index, &[("Bob", "ws", 2)], Some("Bob")))
        .collect();
    record(&writer, &kept);
    common::submit(&writer, vec![save_room("KEPT00", "{\"turn\":1}")]);

    let rt = runtime();
    rt.block_on(writer.limit_growth(0)).expect("limit set");
    let mut committed_while_full = 0;
    let mut failure = None;
    for index in 0..200 {
        match rt.block_on(writer.submit(vec![Write::RecordGame(bulky_game(index))])) {
            Ok(()) => committed_while_full += 1,
            Err(error) => {
                failure = Some(error);
                break;
            }
        }
    }
    let failure = failure.expect("writes fail once the database cannot grow");
    assert!(failure.is_full(), "{failure:?}");
    assert!(failure.to_string().contains("free some space"), "{failure}");

    // The writer keeps serving: a small update either fits or fails cleanly.
    let update = rt.block_on(writer.submit(vec![save_room("KEPT00", "{\"turn\":2}")]));
    assert!(!matches!(update, Err(StoreError::Closed)), "{update:?}");
    writer.close();

    let (store, writer) = db.open();
    writer.close();
    assert_eq!(store.room_history("KEPT00", 10).unwrap().len(), kept.len());
    assert_eq!(
        store.room_history("FULL00", 1_000).unwrap().len(),
        committed_while_full
    );
    assert_eq!(store.standing("bob").unwrap().unwrap().wins, 5);
    assert_eq!(store.saved_rooms().unwrap().len(), 1);
}

#[test]
fn close_commits_writes_queued_without_waiting() {
    let db = TempDb::new();
    let (_, writer) = db.open();
    for index in 0..50 {
        let queued = writer.submit_later(vec![Write::RecordGame(game(
            "LATER0",
            index,
            &[("Amy", "app", 1)],
            None,
        ))]);
        assert!(queued);
    }
    writer.close();

    let (store, writer) = db.open();
    writer.close();
    assert_eq!(store.room_history("LATER0", 100).unwrap().len(), 50);
}

#[test]
fn a_closed_writer_refuses_writes_and_closing_again_is_harmless() {
    let db = TempDb::new();
    let (store, writer) = db.open();
    let other_handle = writer.clone();
    writer.close();
    other_handle.close();

    let refused = runtime().block_on(other_handle.submit(vec![save_room("AAAAAA", "{}")]));
    assert!(matches!(refused, Err(StoreError::Closed)), "{refused:?}");
    assert!(!writer.submit_later(vec![save_room("AAAAAA", "{}")]));
    assert!(store.saved_rooms().unwrap().is_empty());
}

#[test]
fn dropping_every_writer_still_commits_what_was_queued() {
    let db = TempDb::new();
    let (store, writer) = db.open();
    assert!(writer.submit_later(vec![save_room("AAAAAA", "{}")]));
    drop(writer);

    let deadline = Instant::now() + Duration::from_secs(10);
    while store.saved_rooms().unwrap().is_empty() {
        assert!(Instant::now() < deadline, "the queued write never landed");
        std::thread::sleep(Duration::from_millis(10));
    }
}

#[test]
fn continuations_run_in_order_once_their_writes_are_visible() {
    let db = TempDb::new();
    let (store, writer) = db.open();
    let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    runtime().block_on(async {
        for index in 0..50 {
            let room = format!("R{index:05}");
            let (store, seen) = (store.clone(), seen.clone());
            // Every other job writes nothing: it only keeps its place.
            let writes = if index % 2 == 0 {
                vec![save_room(&room, "{}")]
            } else {
                Vec::new()
            };
            writer
                .submit_then(writes, move |result| {
                    assert!(result.is_ok(), "{result:?}");
                    let rooms = store.saved_rooms().expect("read");
                    let visible = rooms.iter().any(|saved| saved.code == room);
                    seen.lock().unwrap().push((index, visible));
                })
                .await;
        }
    });
    writer.close();
    let seen = seen.lock().unwrap();
    let order: Vec<i32> = seen.iter().map(|(index, _)| *index).collect();
    assert_eq!(order, (0..50).collect::<Vec<_>>(), "in the order queued");
    assert!(
        seen.iter()
            .all(|(index, visible)| *visible == (index % 2 == 0)),
        "each continuation sees its own writes committed: {seen:?}"
    );
}

#[test]
fn a_continuation_after_closing_is_told_so() {
    let db = TempDb::new();
    let (_, writer) = db.open();
    writer.close();
    let told = std::sync::Arc::new(std::sync::Mutex::new(None));
    let slot = told.clone();
    runtime().block_on(
        writer.submit_then(vec![save_room("LATE00", "{}")], move |result| {
            *slot.lock().unwrap() = Some(result);
        }),
    );
    assert!(matches!(
        told.lock().unwrap().take(),
        Some(Err(StoreError::Closed))
    ));
}
