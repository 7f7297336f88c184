"""hw stage."""
