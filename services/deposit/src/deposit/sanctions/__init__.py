"""Graded sanctions for overdue obligations: written warning → suspension → revocation, with letters."""
