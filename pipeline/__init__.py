"""Checks and publishes the articles of a medical and wellness encyclopedia."""

__version__ = "0.1.0"
