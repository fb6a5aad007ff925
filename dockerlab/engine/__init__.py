"""The only code that talks to Docker's API: the transport (socket reads, the SDK for the rest), the client
(`Engine`, made of parts that share calls: exec, swarmcalls), the seam the executor sees (a Protocol), and the
engine's refusals typed and explained (explain).
"""
