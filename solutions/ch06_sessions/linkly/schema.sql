CREATE TABLE IF NOT EXISTS user (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  username TEXT UNIQUE NOT NULL,
  password_hash TEXT NOT NULL
);

-- One row per signed-in browser: deleting the row ends that session everywhere.
CREATE TABLE IF NOT EXISTS login_session (
  id TEXT PRIMARY KEY,
  user_id INTEGER NOT NULL REFERENCES user (id),
  created TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP
);
