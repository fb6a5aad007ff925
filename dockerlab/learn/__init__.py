"""What a learner uses to look inside a lab: checks (and their probes), pings, why a check failed
(diagnose), packet capture and the diagram.
"""
