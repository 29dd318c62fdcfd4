"""Pusip accreditation service."""
