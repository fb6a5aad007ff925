"""The UDP check's reading of a namespace's counters and sockets (pure: the texts are the kernel's own)."""

from dockerlab.learn.udpprobes import _closed, counters

SNMP = """\
Ip: Forwarding DefaultTTL InReceives
Ip: 1 64 12
Udp: InDatagrams NoPorts InErrors OutDatagrams RcvbufErrors SndbufErrors InCsumErrors IgnoredMulti MemErrors
Udp: 4 7 1 3 0 0 0 0 0
UdpLite: InDatagrams NoPorts InErrors OutDatagrams RcvbufErrors SndbufErrors InCsumErrors IgnoredMulti MemErrors
UdpLite: 100 100 100 0 0 0 0 0 0
Udp6InDatagrams                 \t2
Udp6NoPorts                     \t5
Udp6InErrors                    \t0
UdpLite6NoPorts                 \t100
"""

UDP = """\
   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops
  876: 0B00007F:B4F1 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 33436 2 0000 0
"""
UDP6 = """\
  sl  local_address                         remote_address                        st tx_queue rx_queue tr
   12: 00000000000000000000000000000000:14B4 00000000000000000000000000000000:0000 07 00000000:00000000 00:0
"""


def test_counters_add_both_families_and_leave_udplite_out():
    found = counters(SNMP)
    assert (found["InDatagrams"], found["NoPorts"], found["InErrors"]) == (6, 12, 1)


def test_counters_of_no_udp_text_are_none():
    assert counters("Ip: Forwarding\nIp: 1\n") == {}


def test_a_port_is_closed_unless_a_socket_of_either_family_is_bound_to_it():
    assert not _closed(UDP + UDP6, 0xB4F1)  # Docker's DNS, on 127.0.0.11
    assert not _closed(UDP + UDP6, 5300)  # 0x14B4, IPv6
    assert _closed(UDP + UDP6, 53)
    assert _closed("", 53)
