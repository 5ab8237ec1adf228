"""Seized chat exports: one parser per source, all producing one model (chats.model)."""
