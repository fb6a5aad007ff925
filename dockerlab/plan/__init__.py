"""Observe -> diff -> steps: every host read at once (observe), what the lab owns (ownership), the differences
(diff), a typed plan with a reason on every step (planner, steps), host plans joined (merge), the swarm's steps
(swarm), and the checks before any change (preflight). Pure but observe.
"""
