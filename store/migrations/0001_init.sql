-- Schema 1: rooms' saved state, finished games with their seats, and the
-- leaderboard kept as one row per player (updated with every game).

-- The last saved state of each live room, so games survive a restart.
CREATE TABLE rooms (
    code     TEXT PRIMARY KEY NOT NULL,
    state    TEXT NOT NULL,
    saved_at INTEGER NOT NULL -- unix milliseconds
);

-- One row per finished game.
CREATE TABLE games (
    id         INTEGER PRIMARY KEY,
    room       TEXT NOT NULL,
    word       TEXT NOT NULL,
    language   TEXT NOT NULL,
    winner     TEXT,
    moves      INTEGER NOT NULL CHECK (moves >= 0),
    started_at INTEGER NOT NULL, -- unix milliseconds
    ended_at   INTEGER NOT NULL  -- unix milliseconds
);
-- A room's history, newest first.
CREATE INDEX games_by_room ON games (room, ended_at);
-- Recent games of every room, newest first.
CREATE INDEX games_by_end ON games (ended_at);

-- The seats of a finished game, in ring order.
CREATE TABLE game_players (
    game     INTEGER NOT NULL REFERENCES games (id) ON DELETE CASCADE,
    seat     INTEGER NOT NULL CHECK (seat >= 0),
    name     TEXT NOT NULL,
    name_key TEXT NOT NULL, -- the name in lower case: one player however spelled
    door     TEXT NOT NULL,
    points   INTEGER NOT NULL CHECK (points >= 0),
    won      INTEGER NOT NULL CHECK (won IN (0, 1)),
    PRIMARY KEY (game, seat)
) WITHOUT ROWID;
-- A player's games.
CREATE INDEX game_players_by_name ON game_players (name_key);

-- The leaderboard: one row per player, summed over game_players.
CREATE TABLE players (
    name_key      TEXT PRIMARY KEY NOT NULL,
    name          TEXT NOT NULL,    -- the spelling of the player's latest game
    games         INTEGER NOT NULL CHECK (games >= 0),
    wins          INTEGER NOT NULL CHECK (wins >= 0),
    points        INTEGER NOT NULL CHECK (points >= 0),
    last_ended_at INTEGER NOT NULL  -- unix milliseconds
) WITHOUT ROWID;
-- Leaderboard order.
CREATE INDEX players_by_rank ON players (wins DESC, points DESC, games ASC, name ASC);
