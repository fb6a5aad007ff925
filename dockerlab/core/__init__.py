"""Pure types and tables, no I/O: the lab as the file means it (model), the engine as read (observed),
impairments, drivers, the version gates (capabilities), labels, and the dependency scheduler.
Takes nothing from the other stages; every stage takes from it.
"""
