"""Command-line interface: one module per command, logic lives elsewhere."""
