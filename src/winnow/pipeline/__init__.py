"""The ingest runner: planning, worker processes, the single writer, resumption, progress."""
