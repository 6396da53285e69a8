"""Deterministic synthetic WHOOP athletes, in WHOOP API v2 JSON shape.

One generator feeds both the demo export (:mod:`whoop.demo`) and the local API sandbox
(:mod:`whoop.sandbox`), so both tell the same story.

Public API::

    SynthAthlete                      dataclass: profile, body measurement and the record lists
    generate_athlete(seed, *, index=0, start, end) -> SynthAthlete
    history_start(end, days, *, seed=7, index=0) -> datetime   the fixed anchor to pass as start
    rescore(athlete, seed, now) -> RescoreResult               late rescores and deletions
    QUESTIONS                          the journal questions, in file order
    SPORT_EXPORT_NAMES                 API sport_name -> export "Activity name"

Modules: ``model`` (dataclass, profile, time/tz helpers), ``plan`` (life events and per-day plans,
chain-free), ``generate`` (the physiology chain and the records), ``rescore``.
"""

from whoop.synth.generate import generate_athlete, history_start
from whoop.synth.model import SynthAthlete
from whoop.synth.plan import QUESTIONS, SPORT_EXPORT_NAMES
from whoop.synth.rescore import RescoreResult, rescore

__all__ = ["QUESTIONS", "SPORT_EXPORT_NAMES", "RescoreResult", "SynthAthlete",
           "generate_athlete", "history_start", "rescore"]
