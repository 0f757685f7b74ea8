"""Text: repairing and sanitising it."""
