"""The command line: parse, call the stages, render (plans, status, the plan as docker commands,
progress). Nothing below imports from here.
"""
