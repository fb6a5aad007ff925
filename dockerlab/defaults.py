"""Defaults the command line shows and the library uses: one value each, cheap to import."""

PARALLEL = 8  # steps at once: the engine, not the client, is the bottleneck past this (see bench/)
# Removals wait on containers' ends more than on the engine's CPU: more at once helps (bench/RESULTS.md: N=100 on
# 2 cores, destroy 8.2 s at 8, 7.0-7.4 s at 16, 6.1-6.8 s at 32).
DESTROY_PARALLEL = 16
# Seconds a container an apply started must keep running to count as up: a command that ends at once (a shell
# without a terminal, a typo in a server's flags) has ended by then. Longer catches slower crashes, at that cost.
SETTLE = 0.3
