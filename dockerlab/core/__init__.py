"""Pure types and tables, no I/O: the lab as the file means it (model), the engine as read (observed), drivers,
version gates (capabilities), check expectations (expect), labels, host access rules (hostaccess), impairments,
a lab's slice per host (placement), the dependency scheduler and the one poll loop (waiting).
Takes nothing from the other stages; every stage takes from it.
"""
