"""Subcommands of the `crosspair` CLI, one module per area."""
