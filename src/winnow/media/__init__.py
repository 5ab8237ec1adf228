"""Decoding helpers: video through PyAV's bundled FFmpeg (no system ffmpeg needed)."""
