"""The demo site's pages and stories (filled in by the demo content work)."""
