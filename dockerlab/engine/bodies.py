"""Requests the SDK cannot write (an IPv6-only network, a gateway priority: API 1.48), made as the API takes
them and sent with the SDK's own request helpers, so its transport, timeouts and errors stay the same."""

from __future__ import annotations

from typing import Any

from dockerlab.core.model import NetworkSpec, Pool


def post(api: Any, path: str, body: dict[str, Any], answer: bool = True) -> Any:
    """api: the SDK's APIClient, whose request helpers its stubs do not declare."""
    done = api._post_json(api._url(path), data=body)
    if not answer:
        api._raise_for_status(done)
        return None
    return api._result(done, json=True)


def network_body(spec: NetworkSpec, labels: dict[str, str]) -> dict[str, Any]:
    if spec.config_from:  # Docker refuses settings of its own, labels too: it takes the config network's
        return {"Name": spec.name, "Driver": spec.driver, "ConfigFrom": {"Network": spec.config_from},
                "Internal": spec.internal, "Attachable": spec.attachable, "Scope": spec.docker_scope}
    body: dict[str, Any] = {"Name": spec.name, "Driver": spec.driver, "Options": spec.driver_options(),
                            "Internal": spec.internal, "Labels": labels, "EnableIPv6": spec.ipv6,
                            "Attachable": spec.attachable}
    if spec.config_only:
        body["ConfigOnly"] = True
    if spec.scope == "swarm":  # a macvlan or ipvlan network across the swarm
        body["Scope"] = "swarm"
    if not spec.ipv4:  # only then: an engine before 28.0 does not know the field
        body["EnableIPv4"] = False
    if spec.pools or spec.ipam_driver != "default" or spec.ipam_options:
        body["IPAM"] = {"Driver": spec.ipam_driver, "Options": dict(spec.ipam_options),
                        "Config": [_pool(p) for p in spec.pools]}
    return body


def _pool(pool: Pool) -> dict[str, Any]:
    config: dict[str, Any] = {"Subnet": str(pool.subnet)}
    if pool.gateway:
        config["Gateway"] = str(pool.gateway)
    if pool.ip_range:
        config["IPRange"] = str(pool.ip_range)
    if pool.aux_addresses:
        config["AuxiliaryAddresses"] = {k: str(v) for k, v in pool.aux_addresses}
    return config
