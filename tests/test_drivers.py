"""The driver table is the one place for what each driver needs: the schema and the checks follow it.
Preflight runs against a fake host. No engine."""


import pytest
from fakes import FakeHost

from dockerlab.core.drivers import DRIVERS, KERNEL, driver
from dockerlab.core.observed import Observed, network_from_api
from dockerlab.labfile.load import parse_lab
from dockerlab.labfile.schema import lab_schema
from dockerlab.plan.planner import make_plan
from dockerlab.plan.preflight import PreflightError, preflight_problems


def test_schema_drivers_and_modes_match_the_table():
    network = lab_schema()["$defs"]["network"]["properties"]
    assert network["driver"]["enum"] == list(DRIVERS)
    modes = {m for d in DRIVERS.values() for m in d.modes}
    assert set(network["mode"]["enum"]) == modes


def test_every_driver_row_is_consistent():
    for row in DRIVERS.values():
        assert bool(row.modes) == bool(row.mode_option), row.name
        assert row.kernel is None or row.kernel.link_type in KERNEL, row.name
    assert driver("some-plugin").modes == () and not driver("some-plugin").parent


LAB = """\
name: f
networks:
  iv: {driver: ipvlan, parent: p0, subnet: 10.40.0.0/24}
  mv: {driver: macvlan, parent: p0.20, subnet: 10.41.0.0/24}
  ov: {driver: overlay, attachable: true, subnet: 10.42.0.0/24}
  lan: {subnet: 10.43.0.0/24, ip_range: 10.43.0.0/25}
"""


def run_preflight(host, observed=None):
    observed = observed or Observed((), ())
    lab = parse_lab(LAB, "f.yaml")
    problems = preflight_problems(lab, make_plan(lab, observed), observed, host)
    if problems:
        raise PreflightError("nothing was changed:\n" + "\n".join(problems))


def test_a_capable_host_passes():
    run_preflight(FakeHost())


def test_each_missing_need_is_named_from_the_table():
    with pytest.raises(PreflightError) as info:
        run_preflight(FakeHost(missing={"ipvlan", "vlan"}))
    text = str(info.value)
    assert "network iv: the kernel of the engine's host has no ipvlan support" in text
    assert "`modprobe ipvlan`" in text
    assert "network mv: 'p0.20' is an 802.1q sub-interface that Docker would create" in text
    assert "`modprobe 8021q`" in text
    assert "nothing was changed" in text


def test_one_rule_for_pools_in_validation_and_preflight():
    """Two pools on one subnet conflict unless each has its own ip_range, apart from the other's; two bridges'
    conflict whatever their ranges (Docker's bridge driver refuses them)."""
    live = network_from_api({"Name": "other", "Id": "o", "Driver": "macvlan", "Labels": {},
                             "IPAM": {"Config": [{"Subnet": "10.43.0.0/24", "IPRange": "10.43.0.128/25"}]}})
    run_preflight(FakeHost(), Observed((live,), ()))
    bridge = network_from_api({"Name": "other", "Id": "o", "Driver": "bridge", "Labels": {},
                               "IPAM": {"Config": [{"Subnet": "10.43.0.0/24", "IPRange": "10.43.0.128/25"}]}})
    with pytest.raises(PreflightError, match="subnet 10.43.0.0/24 overlaps 10.43.0.0/24 of network 'other'"):
        run_preflight(FakeHost(), Observed((bridge,), ()))
    clash = network_from_api({"Name": "other", "Id": "o", "Driver": "bridge", "Labels": {},
                              "IPAM": {"Config": [{"Subnet": "10.43.0.0/24", "IPRange": "10.43.0.0/26"}]}})
    with pytest.raises(PreflightError, match="subnet 10.43.0.0/24 overlaps 10.43.0.0/24 of network 'other'"):
        run_preflight(FakeHost(), Observed((clash,), ()))


def test_an_encrypted_overlay_needs_esp_with_aes_gcm_in_the_kernel():
    """Without it Docker makes the overlay and drops its traffic (issue 23: both checks by name failed)."""
    lab = parse_lab(LAB.replace("attachable: true, subnet: 10.42.0.0/24",
                                "attachable: true, subnet: 10.42.0.0/24, options: {encrypted: ''}"), "f.yaml")
    observed = Observed((), ())
    problems = preflight_problems(lab, make_plan(lab, observed), observed, FakeHost(missing={"esp"}))
    assert problems == ["network ov: the kernel of the engine's host has no IPsec ESP with AES-GCM (an encrypted "
                        "overlay's) support, so Docker would make the encrypted overlay and then drop its traffic; "
                        "drop 'encrypted' or run the lab where the kernel has it. Load it with `modprobe -a esp4 "
                        "xfrm_user gcm` where the kernel ships it, or run this lab on a host that has it"]
    assert preflight_problems(lab, make_plan(lab, observed), observed, FakeHost()) == []
    run_preflight(FakeHost(missing={"esp"}))  # unencrypted: the kernel's ESP does not matter
