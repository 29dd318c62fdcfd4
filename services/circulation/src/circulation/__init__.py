"""Pusip circulation service."""
