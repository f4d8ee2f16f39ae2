"""What purges the public cache (filled in by the caching work)."""
