//! What players see of stored games: the leaderboard, a player's standing,
//! room history, recent games, and saved rooms.

mod common;

use common::{game, record, save_room, submit, TempDb};
use wordguess_store::{SavedRoom, Standing, Write};

fn standing(name: &str, games: u32, wins: u32, points: u64) -> Standing {
    Standing {
        name: name.to_owned(),
        games,
        wins,
        points,
    }
}

/// A saved room, in a database where no move was ever logged.
fn saved(code: &str, state: &str) -> SavedRoom {
    SavedRoom {
        code: code.to_owned(),
        state: state.to_owned(),
        log_after: 0,
    }
}

fn delete_room(code: &str) -> Write {
    Write::DeleteRoom {
        code: code.to_owned(),
    }
}

#[test]
fn the_leaderboard_counts_each_player_once_whatever_the_letter_case() {
    let db = TempDb::new();
    let (store, writer) = db.open();
    record(
        &writer,
        &[
            game(
                "AAAAAA",
                1_000,
                &[("alice", "tcp", 4), ("Bob", "ws", 2)],
                Some("alice"),
            ),
            game(
                "BBBBBB",
                2_000,
                &[("BOB", "app", 6), ("ALICE", "ws", 1)],
                Some("BOB"),
            ),
            game(
                "AAAAAA",
                3_000,
                &[("Alice", "tcp", 3), ("Carol", "ws", 9)],
                Some("Alice"),
            ),
        ],
    );
    writer.close();

    let board = store.leaderboard(10).unwrap();

    assert_eq!(
        board,
        [
            // Most wins first; the name as spelled in the latest game.
            standing("Alice", 3, 2, 8),
            standing("BOB", 2, 1, 8),
            standing("Carol", 1, 0, 9),
        ]
    );
}

#[test]
fn computer_players_are_kept_in_history_with_their_mark_but_not_on_the_leaderboard() {
    let db = TempDb::new();
    let (store, writer) = db.open();
    record(
        &writer,
        &[game(
            "AAAAAA",
            1_000,
            &[("alice", "tcp", 2), ("Robo", "computer", 9)],
            Some("Robo"),
        )],
    );
    writer.close();

    assert_eq!(store.leaderboard(10).unwrap(), [standing("alice", 1, 0, 2)]);
    let history = store.room_history("AAAAAA", 10).unwrap();
    let doors: Vec<(&str, &str)> = history[0]
        .players
        .iter()
        .map(|player| (player.name.as_str(), player.door.as_str()))
        .collect();
    assert_eq!(doors, [("alice", "tcp"), ("Robo", "computer")]);
}

#[test]
fn leaderboard_ties_go_to_more_points_then_fewer_games_then_name() {
    let db = TempDb::new();
    let (store, writer) = db.open();
    record(
        &writer,
        &[
            game("AAAAAA", 1_000, &[("Dan", "tcp", 5)], Some("Dan")),
            game("AAAAAA", 2_000, &[("Eve", "tcp", 5)], Some("Eve")),
            game("AAAAAA", 3_000, &[("Eve", "tcp", 0)], None),
            game("AAAAAA", 4_000, &[("Fay", "tcp", 7)], Some("Fay")),
            game("AAAAAA", 5_000, &[("Cid", "tcp", 5)], Some("Cid")),
        ],
    );
    writer.close();

    let names: Vec<String> = store
        .leaderboard(10)
        .unwrap()
        .into_iter()
        .map(|line| line.name)
        .collect();

    assert_eq!(names, ["Fay", "Cid", "Dan", "Eve"]);
    assert_eq!(store.leaderboard(2).unwrap().len(), 2);
}

#[test]
fn standing_finds_a_player_in_any_letter_case() {
    let db = TempDb::new();
    let (store, writer) = db.open();
    record(
        &writer,
        &[
            game(
                "AAAAAA",
                1_000,
                &[("Олена", "app", 4), ("Bob", "ws", 2)],
                Some("Олена"),
            ),
            game(
                "AAAAAA",
                2_000,
                &[("олена", "app", 1), ("Bob", "ws", 3)],
                Some("Bob"),
            ),
        ],
    );
    writer.close();

    assert_eq!(
        store.standing("ОЛЕНА").unwrap(),
        Some(standing("олена", 2, 1, 5))
    );
    assert_eq!(
        store.standing("bob").unwrap(),
        Some(standing("Bob", 2, 1, 5))
    );
    assert_eq!(store.standing("Nobody").unwrap(), None);
}

#[test]
fn room_history_is_newest_first_with_seats_in_ring_order() {
    let db = TempDb::new();
    let (store, writer) = db.open();
    let older = game(
        "K7M2QX",
        1_000,
        &[("Zoe", "tcp", 1), ("Amy", "ws", 4)],
        Some("Amy"),
    );
    let newer = game(
        "K7M2QX",
        2_000,
        &[("Max", "app", 2), ("Zoe", "tcp", 0), ("Amy", "ws", 5)],
        None,
    );
    let elsewhere = game("4M2ZQA", 1_500, &[("Kim", "tcp", 1)], None);
    record(&writer, &[older.clone(), elsewhere, newer.clone()]);
    writer.close();

    assert_eq!(
        store.room_history("K7M2QX", 10).unwrap(),
        [newer.clone(), older]
    );
    assert_eq!(store.room_history("K7M2QX", 1).unwrap(), [newer]);
    assert!(store.room_history("QQQQQQ", 10).unwrap().is_empty());
}

#[test]
fn recent_games_span_every_room_newest_first() {
    let db = TempDb::new();
    let (store, writer) = db.open();
    let games = [
        game("AAAAAA", 3_000, &[("Amy", "tcp", 1)], None),
        game("BBBBBB", 1_000, &[("Bob", "ws", 1)], None),
        game("CCCCCC", 2_000, &[("Cid", "app", 1)], None),
    ];
    record(&writer, &games);
    writer.close();

    let rooms = |limit| -> Vec<String> {
        store
            .recent_games(limit)
            .unwrap()
            .into_iter()
            .map(|game| game.room)
            .collect()
    };
    assert_eq!(rooms(10), ["AAAAAA", "CCCCCC", "BBBBBB"]);
    assert_eq!(rooms(2), ["AAAAAA", "CCCCCC"]);
}

#[test]
fn saved_rooms_are_replaced_deleted_and_survive_a_restart() {
    let db = TempDb::new();
    let (_, writer) = db.open();
    submit(
        &writer,
        vec![
            save_room("AAAAAA", "{\"turn\":1}"),
            save_room("BBBBBB", "{}"),
        ],
    );
    submit(&writer, vec![save_room("AAAAAA", "{\"turn\":2}")]);
    submit(
        &writer,
        vec![save_room("CCCCCC", "{}"), delete_room("BBBBBB")],
    );
    writer.close();

    let (store, writer) = db.open();
    writer.close();

    assert_eq!(
        store.saved_rooms().unwrap(),
        [saved("AAAAAA", "{\"turn\":2}"), saved("CCCCCC", "{}")]
    );
}

#[test]
fn within_one_batch_the_last_save_or_delete_of_a_room_wins() {
    let db = TempDb::new();
    let (store, writer) = db.open();
    submit(
        &writer,
        vec![save_room("GONE00", "{}"), save_room("KEPT00", "{}")],
    );
    submit(
        &writer,
        vec![
            save_room("AAAAAA", "first"),
            save_room("AAAAAA", "second"),
            delete_room("GONE00"),
            delete_room("KEPT00"),
            save_room("KEPT00", "back"),
            save_room("BRIEF0", "never seen"),
            delete_room("BRIEF0"),
        ],
    );
    writer.close();

    assert_eq!(
        store.saved_rooms().unwrap(),
        [saved("AAAAAA", "second"), saved("KEPT00", "back")]
    );
}
