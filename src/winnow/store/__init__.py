"""The case store: one SQLite file (WAL) per case, versioned migrations, one writer."""
