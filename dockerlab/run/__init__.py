"""Execute a plan: one executor per engine (a handler per step kind and action), the plan across hosts,
locks between dockerlab processes.
"""
