"""Signals: what winnow computes from an item's bytes (hashes, image facts, metadata)."""
