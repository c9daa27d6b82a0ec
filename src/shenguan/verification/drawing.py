"""The draw itself, as a pure function of a seed and a canonical input snapshot, so that
anyone holding both can recompute the result exactly (DOMAIN.md §9: reproducible and
auditable). It uses only SHA-256 and integer arithmetic — no floating point and no
``random`` module whose algorithms may change between Python versions.

Algorithm ``shenguan-draw-v1``:

1. Targets (the sampling directory) are taken in ascending ``entry_id`` order, each with an
   integer weight (``weight_units`` = credit-tier weight × risk factor × 10,000). For
   k = 0, 1, … size-1: r = H(seed, "target", k) mod (sum of the remaining weights); the
   target whose cumulative-weight interval contains r is drawn and leaves the list. This is
   weighted sampling without replacement: worse credit and higher risk, higher chance
   (浙江省综合行政执法条例 art 21).
2. For each drawn target in draw order, the inspectors not recused for its party are ranked
   by (inspections already assigned in this draw, H(seed, "inspector", entry_id, staff_id))
   and the first ``inspectors_per_target`` are taken: random, with the work spread evenly.

H(…) is SHA-256 of the parts joined by "|", read as a big-endian integer."""

from __future__ import annotations

import hashlib

from shenguan.core.journal import canonical

ALGORITHM = "shenguan-draw-v1"
WEIGHT_SCALE = 10_000


class TooFewInspectors(ValueError):
    def __init__(self, target: dict, eligible: int, needed: int):
        super().__init__(f"target {target['entry_id']}: {eligible} eligible, {needed} needed")
        self.target, self.eligible, self.needed = target, eligible, needed


def h(seed: str, *parts) -> int:
    text = "|".join([seed, *(str(p) for p in parts)])
    return int.from_bytes(hashlib.sha256(text.encode("utf-8")).digest(), "big")


def digest(data) -> str:
    return hashlib.sha256(canonical(data)).hexdigest()


def compute(seed: str, inputs: dict) -> dict:
    params = inputs["params"]
    size = int(params["size"])
    per_target = int(params["inspectors_per_target"])
    remaining = sorted(inputs["targets"], key=lambda t: t["entry_id"])
    chosen = []
    for k in range(size):
        total = sum(int(t["weight_units"]) for t in remaining)
        if total <= 0:
            break
        r = h(seed, "target", k) % total
        acc = 0
        for i, target in enumerate(remaining):
            acc += int(target["weight_units"])
            if r < acc:
                chosen.append(remaining.pop(i))
                break
    pool = sorted(i["staff_id"] for i in inputs["inspectors"])
    load = dict.fromkeys(pool, 0)
    drawn = []
    for target in chosen:
        recused = set(target.get("recused", []))
        eligible = [s for s in pool if s not in recused]
        if len(eligible) < per_target:
            raise TooFewInspectors(target, len(eligible), per_target)
        ranked = sorted(
            eligible, key=lambda s: (load[s], h(seed, "inspector", target["entry_id"], s))
        )
        picked = ranked[:per_target]
        for s in picked:
            load[s] += 1
        drawn.append(
            {
                "entry_id": target["entry_id"],
                "party_id": target["party_id"],
                "licence_id": target["licence_id"],
                "inspectors": picked,
            }
        )
    return {"algorithm": ALGORITHM, "targets": drawn}
