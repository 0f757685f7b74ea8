"""The inventory: the SQLite database, its files and who may write it."""
