"""realtime_stats package."""
