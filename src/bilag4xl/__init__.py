"""bilag4xl."""
