"""Recordings of live video calls and streams: explainable screen signals, a score, and leads read on screen."""
