"""Observe -> diff -> steps: every host read at once (observe), what the lab owns (ownership), the
differences (diff), a typed plan with a reason on every step (planner, steps), and the checks before any
change (preflight). Pure but observe.
"""
