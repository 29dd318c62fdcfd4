"""Versioned deposit rules stored as data (periods, copies, warning steps, appreciation criteria)."""
