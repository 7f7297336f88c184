"""persona stage."""
