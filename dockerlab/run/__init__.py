"""Execute a plan: one executor per engine (a handler per kind of step), the plan across hosts and its swarm
steps, locks between dockerlab processes, and a failed plan as an error that says what was done (failures).
"""
