"""Linking: identifiers from chats, screens and payments joined across sources (links, the timeline)."""
