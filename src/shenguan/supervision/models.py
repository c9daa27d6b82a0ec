"""Models of the supervision app."""
