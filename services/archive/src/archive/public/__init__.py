"""Public access: open records and static archives for everyone, and KIP access requests."""
