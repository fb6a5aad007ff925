"""Defaults the command line shows and the library uses: one value each, cheap to import."""

PARALLEL = 8  # steps at once: the engine, not the client, is the bottleneck past this (see bench/)
# Seconds a container an apply started must keep running to count as up: a command that ends at once (a shell
# without a terminal, a typo in a server's flags) has ended by then. Longer catches slower crashes, at that cost.
SETTLE = 0.3
