"""Sources of evidence: folders, files and the archives inside them, walked read-only."""
