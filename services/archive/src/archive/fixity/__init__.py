"""Fixity: re-hash stored objects and report what no longer matches."""
