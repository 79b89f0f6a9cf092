"""kcc package."""
