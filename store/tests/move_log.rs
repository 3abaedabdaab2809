//! The log of moves between saves of a room's state: what a restart reads
//! back, and that the log stays short however long the server runs.

mod common;

use common::{save_room, submit, TempDb};
use wordguess_store::{LoggedMove, Store, Write};

fn logged(room: &str, moves: u32) -> Write {
    Write::LogMove(LoggedMove {
        room: room.to_owned(),
        moves,
        mover: u64::from(moves % 2 + 1),
        word: moves.is_multiple_of(5),
        guess: format!("g{moves}"),
    })
}

/// The moves of `room` that came after its saved state, as a restart sees
/// them: `(moves, guess)` in order.
fn moves_after_save(store: &Store, room: &str) -> Vec<(u32, String)> {
    let saved = store.saved_rooms().unwrap();
    let log_after = saved
        .iter()
        .find(|saved| saved.code == room)
        .expect("the room is saved")
        .log_after;
    store
        .logged_moves()
        .unwrap()
        .into_iter()
        .filter(|(id, logged)| *id > log_after && logged.room == room)
        .map(|(_, logged)| (logged.moves, logged.guess))
        .collect()
}

/// Rooms AAAAAA and BBBBBB saved, then one move logged in each.
fn two_rooms_with_a_move_each(db: &TempDb) -> (Store, wordguess_store::Writer) {
    let (store, writer) = db.open();
    submit(
        &writer,
        vec![save_room("AAAAAA", "a0"), save_room("BBBBBB", "b0")],
    );
    submit(&writer, vec![logged("AAAAAA", 1), logged("BBBBBB", 1)]);
    (store, writer)
}

#[test]
fn a_restart_reads_the_moves_logged_after_each_rooms_save_in_order() {
    let db = TempDb::new();
    let (store, writer) = two_rooms_with_a_move_each(&db);
    submit(&writer, vec![logged("AAAAAA", 2)]);
    // B is saved whole again: its earlier move is in that state.
    submit(
        &writer,
        vec![save_room("BBBBBB", "b2"), logged("AAAAAA", 3)],
    );
    submit(&writer, vec![logged("BBBBBB", 3)]);
    writer.close();

    let (store_again, writer_again) = db.open();
    for store in [&store, &store_again] {
        assert_eq!(
            moves_after_save(store, "AAAAAA"),
            [
                (1, "g1".to_owned()),
                (2, "g2".to_owned()),
                (3, "g3".to_owned())
            ]
        );
        assert_eq!(moves_after_save(store, "BBBBBB"), [(3, "g3".to_owned())]);
    }
    let logged = store_again.logged_moves().unwrap();
    let word = logged.iter().find(|(_, m)| m.moves == 5);
    assert!(word.is_none());
    assert!(logged
        .iter()
        .all(|(_, m)| !m.word && m.mover == u64::from(m.moves % 2 + 1)));
    writer_again.close();
}

#[test]
fn a_save_in_the_same_batch_as_moves_includes_them() {
    let db = TempDb::new();
    let (store, writer) = db.open();
    submit(&writer, vec![save_room("AAAAAA", "a0")]);
    submit(
        &writer,
        vec![
            logged("AAAAAA", 1),
            logged("AAAAAA", 2),
            save_room("AAAAAA", "a2"),
            logged("AAAAAA", 3),
        ],
    );
    assert_eq!(moves_after_save(&store, "AAAAAA"), [(3, "g3".to_owned())]);
    assert_eq!(store.saved_rooms().unwrap()[0].state, "a2");
    writer.close();
}

#[test]
fn ids_keep_growing_after_the_log_is_folded_and_the_server_restarts() {
    let db = TempDb::new();
    let (store, writer) = db.open();
    submit(
        &writer,
        vec![
            save_room("AAAAAA", "a0"),
            logged("AAAAAA", 1),
            logged("AAAAAA", 2),
        ],
    );
    let through = store.logged_moves().unwrap().last().unwrap().0;
    writer.close();

    // A restart replays the two moves, saves the room with them, and folds.
    let (store, writer) = db.open();
    submit(
        &writer,
        vec![save_room("AAAAAA", "a2"), Write::FoldLog { through }],
    );
    assert!(
        store.logged_moves().unwrap().is_empty(),
        "folded moves are deleted"
    );
    writer.close();

    // After another restart a new move must still count as after the save.
    let (store, writer) = db.open();
    submit(&writer, vec![logged("AAAAAA", 3)]);
    assert_eq!(moves_after_save(&store, "AAAAAA"), [(3, "g3".to_owned())]);
    writer.close();
}

#[test]
fn the_log_keeps_only_the_moves_some_room_still_needs() {
    let db = TempDb::new();
    let (store, writer) = db.open();
    // A room that stops mid-game: its moves stay until it is saved again.
    submit(
        &writer,
        vec![save_room("STILL0", "s0"), logged("STILL0", 1)],
    );
    // Busy rooms: each saved whole every 50 moves, for 5,000 moves.
    let rooms = ["BUSY00", "BUSY01", "BUSY02", "BUSY03"];
    for round in 1..=1_250u32 {
        let mut writes = Vec::new();
        for room in rooms {
            if round.is_multiple_of(50) {
                writes.push(save_room(room, &format!("{room}{round}")));
            } else {
                writes.push(logged(room, round));
            }
        }
        submit(&writer, writes);
    }
    let rows = store.logged_moves().unwrap().len();
    assert!(
        rows > 4_000,
        "the still room holds the log back: {rows} rows"
    );
    assert_eq!(moves_after_save(&store, "STILL0"), [(1, "g1".to_owned())]);

    submit(&writer, vec![save_room("STILL0", "s1")]);
    for round in 1..=300u32 {
        submit(
            &writer,
            rooms.iter().map(|room| logged(room, round)).collect(),
        );
    }
    let rows = store.logged_moves().unwrap().len();
    assert!(
        rows <= 1_200 + 1_024 + 8,
        "old moves are deleted once every room is saved after them: {rows} rows"
    );
    for room in rooms {
        assert_eq!(
            moves_after_save(&store, room).len(),
            300,
            "{room} keeps its own moves"
        );
    }
    writer.close();
}

#[test]
fn moves_logged_before_a_start_stay_until_they_are_folded() {
    let db = TempDb::new();
    let (store, writer) = db.open();
    submit(
        &writer,
        vec![save_room("OLD000", "o0"), logged("OLD000", 1)],
    );
    writer.close();

    let (store_again, writer) = db.open();
    // Other rooms play on long enough for the log to be compacted.
    for round in 1..=2_100u32 {
        submit(
            &writer,
            vec![save_room("NEW000", "n"), logged("NEW000", round)],
        );
    }
    assert_eq!(
        moves_after_save(&store_again, "OLD000"),
        [(1, "g1".to_owned())],
        "a move from before the start is kept until the server folds it"
    );
    drop(store);
    writer.close();
}

#[test]
fn after_a_failed_save_no_move_is_logged_on_the_older_state() {
    let db = TempDb::new();
    let (store, writer) = db.open();
    submit(&writer, vec![save_room("AAAAAA", "a0")]);
    let rt = common::runtime();
    rt.block_on(writer.limit_growth(0)).expect("limit set");
    let bulky = "x".repeat(200_000);
    let failed = rt.block_on(writer.submit(vec![save_room("AAAAAA", &bulky)]));
    assert!(failed.is_err(), "the database cannot grow: {failed:?}");
    rt.block_on(writer.limit_growth(10_000))
        .expect("limit lifted");

    // The move followed the save that failed: replayed on "a0" it would
    // bring back a state nobody saw, so it is not logged.
    submit(&writer, vec![logged("AAAAAA", 1)]);
    assert!(store.logged_moves().unwrap().is_empty());
    // Once a save works again, moves are logged on it.
    submit(
        &writer,
        vec![save_room("AAAAAA", "a1"), logged("AAAAAA", 2)],
    );
    assert_eq!(moves_after_save(&store, "AAAAAA"), [(2, "g2".to_owned())]);
    writer.close();
}

#[test]
fn one_room_is_read_back_by_its_code_with_only_its_own_later_moves() {
    let db = TempDb::new();
    let (store, writer) = two_rooms_with_a_move_each(&db);
    submit(
        &writer,
        vec![save_room("AAAAAA", "a1"), logged("AAAAAA", 2)],
    );
    writer.close();

    let saved = store.saved_room("AAAAAA").unwrap().expect("saved");
    assert_eq!(saved.state, "a1");
    let own: Vec<(u32, String)> = store
        .logged_moves_of("AAAAAA", saved.log_after)
        .unwrap()
        .into_iter()
        .map(|(_, logged)| (logged.moves, logged.guess))
        .collect();
    assert_eq!(own, [(2, "g2".to_owned())], "only the move after its save");
    assert_eq!(
        moves_after_save(&store, "AAAAAA"),
        own,
        "the same as a read of every room"
    );
    assert_eq!(store.saved_room("CCCCCC").unwrap(), None);
}
