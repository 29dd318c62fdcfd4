"""Pusip archive service."""
