"""Full-text search over archive records, filtered by the access policy."""
