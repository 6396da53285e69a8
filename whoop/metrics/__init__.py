"""Analytics that answer "is this normal for me?" (pure pandas / numpy, no IO, no streamlit).

One idea per module:

* :mod:`whoop.metrics.calendar`  - full-calendar reindexing and the "counts in statistics" masks
* :mod:`whoop.metrics.baselines` - HRV normal range (Plews et al.), 30-day baselines and z-scores
* :mod:`whoop.metrics.sleep`     - sleep need split, debt ledger, stage percentages
* :mod:`whoop.metrics.clock`     - bedtime / wake-time regularity (circular statistics), social jet lag
* :mod:`whoop.metrics.load`      - EWMA acute:chronic workload ratio, HR zones, strain vs next recovery
* :mod:`whoop.metrics.journal`   - journal impact with bootstrap confidence intervals
* :mod:`whoop.metrics.horizons`  - calendar heatmap, year-over-year, month-of-year, period A vs B
* :mod:`whoop.metrics.explain`   - explain one day: deviations, journal answers, similar days
* :mod:`whoop.metrics.quality`   - coverage map and excluded-record counts
* :mod:`whoop.metrics.units`     - display-unit conversion and the ``Settings`` dataclass
"""
