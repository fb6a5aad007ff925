"""The value types every part of the model shares: an IP address or network of either family, and the sorted
string pairs that options, labels and settings are kept as (hashable, and one order for one content)."""

from __future__ import annotations

from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network

IPAddress = IPv4Address | IPv6Address
IPNetwork = IPv4Network | IPv6Network
Pairs = tuple[tuple[str, str], ...]
