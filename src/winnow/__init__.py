"""winnow: triage of seized media collections (ingest, hashes, metadata) for investigators."""

__version__ = "0.1.0"
