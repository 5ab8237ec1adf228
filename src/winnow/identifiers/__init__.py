"""Identifiers found in evidence (chats, payment references, screen leads): validated, normalised, with a
confidence, and linked wherever the same value is seen twice."""
