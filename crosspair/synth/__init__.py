"""Media synthesised on the spot from what the package registries ship (no downloads)."""
