"""dockerlab: declarative Docker network labs."""
