"""PynamoDB models of the single table; the only place that formats a key."""
