"""The lab as it changes: the engine's events of it (`dockerlab events`) and a live picture in the browser
(`dockerlab view`).
"""
