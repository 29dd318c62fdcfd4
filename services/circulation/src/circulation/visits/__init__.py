"""Library visits recorded at a branch gate or counter (the source of visit statistics)."""
