"""Load and validate: a lab file's text in, a typed `Lab` out (load.load_lab, load.parse_lab), or every
problem with its place in the file. YAML read safely (yamlsource), the JSON Schema (schema), then what the
schema cannot say (meaning, hazards).
"""
