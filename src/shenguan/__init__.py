"""Shenguan (审管): concentrated administrative approval and comprehensive enforcement."""

__version__ = "0.1.0"
