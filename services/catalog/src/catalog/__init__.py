"""Pusip catalog service."""
