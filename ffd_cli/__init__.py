"""The `ffd` command: thin wiring that starts the front ends and shows progress."""
