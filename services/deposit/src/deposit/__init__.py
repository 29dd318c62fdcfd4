"""Pusip deposit service."""
