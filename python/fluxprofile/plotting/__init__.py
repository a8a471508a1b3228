"""Figures: flux profiles, TS profiles, sky images and region overlays (matplotlib is
imported inside the functions)."""
