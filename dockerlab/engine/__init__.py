"""The only code that talks to Docker's API: the transport (socket reads, the SDK for the rest), the
client (`Engine`: typed reads and changes), the engine's refusals explained, exec in containers, swarm calls.
"""
