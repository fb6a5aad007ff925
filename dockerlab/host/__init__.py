"""The machine beside the engine: its facts (kernel, namespaces), the host's own interfaces for macvlan
host access (ip), impairments (tc in a container's namespace), and `Host`, which ties an address to its engine.
"""
