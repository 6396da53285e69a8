"""What every benchmark shares: interleaved medians and the figure rows ``bench/run.py`` prints.

A figure is a ratio (or a time) measured in ONE run against its baseline, so machine load moves
both sides together; each side is the median of ``runs`` interleaved repetitions.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from typing import TypedDict


class Figure(TypedDict, total=False):
    """One line of ``bench/run.py``: ``value`` (in ``unit``) passes when it is at most ``target``.

    ``baseline`` says what the value is measured against; ``note`` anything a reader needs
    (e.g. the absolute times behind a ratio)."""

    name: str
    value: float
    target: float
    unit: str
    baseline: str
    note: str


def figure(name: str, value: float, target: float, unit: str, baseline: str = "",
           note: str = "") -> Figure:
    """A :class:`Figure` row (``unit``: ``"x"`` for a ratio, ``"s"`` for seconds, ...)."""
    return Figure(name=name, value=float(value), target=float(target), unit=unit,
                  baseline=baseline, note=note)


def timed(fn: Callable[[], object]) -> float:
    """Wall-clock seconds of one call of ``fn`` (``time.perf_counter``)."""
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def interleaved_medians(cases: dict[str, Callable[[], object]], runs: int,
                        warm: bool = True) -> dict[str, float]:
    """Median wall-clock seconds of each case, its ``runs`` repetitions interleaved with the
    other cases' (case A, case B, A, B, ...) so drift in machine load touches every case alike.
    ``warm``: one untimed call of each case first (file cache, bytecode, lazy imports)."""
    if warm:
        for fn in cases.values():
            fn()
    times: dict[str, list[float]] = {name: [] for name in cases}
    for _ in range(runs):
        for name, fn in cases.items():
            times[name].append(timed(fn))
    return {name: statistics.median(values) for name, values in times.items()}
