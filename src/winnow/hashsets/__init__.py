"""Known-content hash sets in the formats agencies exchange, normalised to HashRecord."""
