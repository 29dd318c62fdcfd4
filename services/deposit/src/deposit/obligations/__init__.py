"""Deposit obligations: declared or imported titles, due dates from the rules in force, status."""
