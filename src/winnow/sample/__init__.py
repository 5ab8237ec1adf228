"""Benign synthetic evidence: photo-like images, near-duplicate variants, archives and bad inputs."""
