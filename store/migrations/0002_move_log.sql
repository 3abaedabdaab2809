-- Schema 2: moves written down one by one between saves of a room's state.
--
-- A room's state is saved whole now and then; in between, each move is one
-- small row appended here (many rooms' moves share a page). After a restart
-- a room is its saved state with its moves logged after that state (id
-- greater than the room's log_after) replayed on it, in id order.

-- The id of the last logged move a saved state already includes.
ALTER TABLE rooms ADD COLUMN log_after INTEGER NOT NULL DEFAULT 0;

-- Moves, in the order they were made; ids only grow.
CREATE TABLE room_moves (
    id    INTEGER PRIMARY KEY,
    room  TEXT NOT NULL,
    moves INTEGER NOT NULL CHECK (moves > 0), -- the game's moves, this one included
    mover INTEGER NOT NULL,                   -- the seat that moved
    word  INTEGER NOT NULL CHECK (word IN (0, 1)), -- 1: a whole word, 0: a letter
    guess TEXT NOT NULL                       -- the letter or the word, folded
);
