"""Records backends other than the embedded SQLite file: the PostgreSQL server mode."""
