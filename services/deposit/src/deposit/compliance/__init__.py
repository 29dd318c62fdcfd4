"""Compliance: rates per depositor and period, overdue list, ranking, appreciation, charts, exports."""
