"""Pod CIDRs and load-balancer pools must not overlap: found in O(n log n), the same verdicts
as comparing every pair."""

from __future__ import annotations

import ipaddress
from itertools import combinations
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nixgen.checks import extra
from nixgen.input.spec import validate
from nixgen.pipeline import planned


def _pairwise(nets: list[tuple[str, Any]]) -> bool:
    return any(a.version == b.version and a.overlaps(b) for (_, a), (_, b) in combinations(nets, 2))


NETS = st.one_of(
    st.builds(lambda a, p: ipaddress.ip_network((a, p), strict=False),
              st.integers(0, 2**32 - 1), st.integers(20, 32)),
    st.builds(lambda a, p: ipaddress.ip_network((a << 96, p), strict=False),
              st.integers(0, 2**32 - 1), st.integers(100, 128)),
)  # fmt: skip


@settings(max_examples=300)
@given(nets=st.lists(NETS, max_size=12))
def test_the_sweep_agrees_with_every_pair(nets: list[Any]) -> None:
    named = [(f"n{i}", n) for i, n in enumerate(nets)]
    found = extra._overlaps("x", named)
    assert (found is not None) == _pairwise(named)


def test_an_overlap_beyond_the_neighbour_is_found() -> None:
    named = [("wide", ipaddress.ip_network("10.0.0.0/8")),
             ("a", ipaddress.ip_network("10.1.0.0/16")), ("b", ipaddress.ip_network("10.2.0.0/16")),
             ("v6", ipaddress.ip_network("::a00:0/104"))]  # fmt: skip
    assert extra._overlaps("x", named) == "x: 10.0.0.0/8 (wide) overlaps 10.1.0.0/16 (a)"
    assert extra._overlaps("x", named[1:]) is None  # disjoint, and IPv6 apart from IPv4


def _big_config(count: int) -> dict[str, Any]:
    pods = [f"10.{i // 256}.{i % 256}.0/24" for i in range(count)]
    pools = {f"pool-{i}": [f"172.{16 + i // 4096}.{(i // 16) % 256}.{(i % 16) * 16}/28"]
             for i in range(count)}  # fmt: skip
    return {"settings": {"ipam": {"mode": "cluster-pool",
                                  "operator": {"clusterPoolIPv4PodCIDRList": pods}}},
            "production": {"loadBalancerIPPools": pools}}  # fmt: skip


class _Quadratic(Exception):
    pass


def test_six_thousand_pod_cidrs_and_pools_are_not_compared_pairwise(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Comparing every pair took 84 s for 6k pod CIDRs and 18.7 s for 3k pools. No timing here:
    comparing networks more often than there are networks is the failure (benchmarks/run.py
    measures the time)."""
    count = 6000
    calls = 0
    real = ipaddress._BaseNetwork.overlaps  # type: ignore[attr-defined]

    def counted(self: Any, other: Any) -> bool:
        nonlocal calls
        calls += 1
        if calls > 2 * count:
            raise _Quadratic(f"more than {2 * count} comparisons of {count} networks")
        return bool(real(self, other))

    monkeypatch.setattr(ipaddress._BaseNetwork, "overlaps", counted)  # type: ignore[attr-defined]
    plan = planned(validate(_big_config(count)))
    assert extra.check(plan) == []
    overlapping = _big_config(count)
    overlapping["production"]["loadBalancerIPPools"]["pool-5999"] = ["172.16.0.0/16"]
    plan = planned(validate(overlapping))
    with pytest.raises(extra.RuleError, match=r"production.loadBalancerIPPools: 172.16.0.0/16 "
                                              r"\(pool-5999\) overlaps"):
        extra.check(plan)
