"""Docker's error texts turned into advice: the pure part."""

from dockerlab.engine.explain import busy_network


def test_a_busy_network_is_explained_and_only_stale_endpoints_are_cleared():
    assert busy_network("lan", {"id1": "web", "ep-id2": "gone"}, live={"id1"}).startswith(
        "remove network lan: containers outside the lab joined it after the plan was made: web.")
    assert busy_network("lan", {"ep-id2": "gone", "id3": "old"}, live={"id1"}) == ["gone", "old"]
    assert "a known bug of Docker before 28.1" in busy_network("lan", {}, live={"id1"})
