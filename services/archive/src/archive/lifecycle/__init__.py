"""Records lifecycle: what is due, transfers, destruction with its guard and workflow, hand-over."""
