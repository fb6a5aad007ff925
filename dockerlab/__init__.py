"""dockerlab: declarative Docker network labs."""

__version__ = "0.2.0"  # the one place: pyproject reads it, `dockerlab --version` shows it
