"""Deposits: printed copies at the counter and digital files streamed to storage; verification; reading."""
