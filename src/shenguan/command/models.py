"""Models of the command app."""
