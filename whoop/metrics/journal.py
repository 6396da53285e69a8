"""Journal impact: recovery, HRV, resting HR and sleep performance on "yes" vs "no" days.

Rule (docs/ARCHITECTURE.md "The day model"): a journal answer describes the previous day's behaviour
and is filed under the cycle whose recovery it precedes, so answer and metrics join on
``journal.cycle_start_utc == days.cycle_start_utc``. Orphan answers (no cycle) and unanswered rows
are dropped; duplicate (cycle, question) rows keep the last. Only valid values count: recovery
metrics from scored, non-calibrating main-sleep recoveries, sleep performance from scored main
sleeps.

Statistics per question and metric (association, not causation): means of the "yes" and "no"
groups, difference = mean_yes - mean_no, and a 95% percentile bootstrap confidence interval of the
difference (Efron 1979 Ann Stat 7:1-26; Efron & Tibshirani 1993 "An Introduction to the
Bootstrap" ch. 13): both groups are resampled with replacement independently, ``n_boot`` (2,000)
times, from a seeded ``numpy.random.Generator`` (deterministic). Groups larger than
``BOOT_EXACT_MAX_N`` (200) draw their resample means from the bootstrap's large-sample limit
N(mean, SD_pop^2 / n) (Singh 1981 Ann Stat 9:1187-1195; Bickel & Freedman 1981 Ann Stat
9:1196-1217), which keeps 10 years of daily answers well under a second; smaller groups are
resampled exactly. A question needs ``MIN_ANSWERS`` (5) valid "yes" and 5 valid "no" answers for a
metric, else the row says ``sufficient = False`` with NaN statistics.
"""

from __future__ import annotations

import zlib

import numpy as np
import pandas as pd

from whoop.metrics.calendar import DateLike, valid_columns
from whoop.metrics.catalog import CATALOG, columns

MIN_ANSWERS = 5
N_BOOT = 2000
SEED = 20170101
BOOT_EXACT_MAX_N = 200
CI_LEVEL = 0.95

#: the catalogue's journal-impact metrics (:mod:`whoop.metrics.catalog`, view "impact"), the
#: order of rows per question
IMPACT_METRICS: list[str] = columns("impact")

IMPACT_COLUMNS = ["question", "metric", "n_yes", "n_no", "mean_yes", "mean_no", "difference",
                  "ci_low", "ci_high", "sufficient"]


def answers_with_metrics(days: pd.DataFrame, journal: pd.DataFrame, *,
                         start: DateLike | None = None,
                         end: DateLike | None = None) -> pd.DataFrame:
    """Journal answers joined to the metrics of the cycle they are filed under.

    Args:
        days: daily frame (``schema.DAYS``; date, cycle_start_utc, score states, the metrics).
        journal: ``schema.JOURNAL`` frame (cycle_start_utc, question, answered_yes).
        start, end: optional inclusive bounds on ``days.date`` (the period a person picked).
    Returns:
        ``date`` datetime64[s], ``question`` str, ``answered_yes`` bool and the
        :data:`IMPACT_METRICS` columns as float64 (NaN where not valid).
    """
    cols = ["date", "question", "answered_yes", *IMPACT_METRICS]
    if journal is None or journal.empty or days.empty or "cycle_start_utc" not in days.columns:
        return pd.DataFrame({c: pd.Series(dtype={"date": "datetime64[s]", "question": "str",
                                                 "answered_yes": "bool"}.get(c, "float64"))
                             for c in cols})
    d = days
    if start is not None:
        d = d[d["date"] >= pd.Timestamp(start)]
    if end is not None:
        d = d[d["date"] <= pd.Timestamp(end)]
    metrics = pd.DataFrame({"date": d["date"],
                            "cycle_start_utc": pd.to_datetime(d["cycle_start_utc"], utc=True)})
    metrics[IMPACT_METRICS] = valid_columns(d, IMPACT_METRICS)
    j = journal[journal["cycle_start_utc"].notna() & journal["answered_yes"].notna()]
    j = j.drop_duplicates(["cycle_start_utc", "question"], keep="last")
    j = pd.DataFrame({"cycle_start_utc": pd.to_datetime(j["cycle_start_utc"], utc=True),
                      "question": j["question"].astype("str"),
                      "answered_yes": j["answered_yes"].astype(bool)})
    out = j.merge(metrics, on="cycle_start_utc", how="inner")
    return out[cols].sort_values(["question", "date"]).reset_index(drop=True)


def _boot_means(values: np.ndarray, rng: np.random.Generator, n_boot: int) -> np.ndarray:
    n = values.size
    if n > BOOT_EXACT_MAX_N:
        return rng.normal(values.mean(), values.std(ddof=0) / np.sqrt(n), size=n_boot)
    idx = rng.integers(0, n, size=(n_boot, n))
    return values[idx].mean(axis=1)


def bootstrap_diff_ci(yes: np.ndarray, no: np.ndarray, *, n_boot: int = N_BOOT,
                      seed: int | list[int] = SEED, level: float = CI_LEVEL) -> tuple[float, float]:
    """Percentile bootstrap CI of ``mean(yes) - mean(no)`` (Efron; see the module docstring).

    Args:
        yes, no: 1-D float arrays without NaN, each of length >= 1.
        n_boot: resamples (default 2,000); seed: ``numpy.random.default_rng`` seed; level: 0.95.
    Returns:
        (low, high) in the metric's units.
    """
    rng = np.random.default_rng(seed)
    diff = _boot_means(np.asarray(yes, float), rng, n_boot) - \
        _boot_means(np.asarray(no, float), rng, n_boot)
    alpha = (1 - level) / 2
    low, high = np.quantile(diff, [alpha, 1 - alpha])
    return float(low), float(high)


def journal_impact(days: pd.DataFrame, journal: pd.DataFrame, *,
                   start: DateLike | None = None, end: DateLike | None = None,
                   min_answers: int = MIN_ANSWERS, n_boot: int = N_BOOT,
                   seed: int = SEED) -> pd.DataFrame:
    """Per question and metric: "yes" vs "no" means, difference and 95% bootstrap CI.

    Args:
        days, journal, start, end: as in :func:`answers_with_metrics`.
        min_answers: valid answers needed on each side (default 5).
        n_boot, seed: bootstrap resamples and base seed (results are deterministic; each
            question/metric pair has its own stream seeded by (seed, crc32(question), metric)).
    Returns:
        one row per question (sorted) x metric (:data:`IMPACT_METRICS` order), columns
        :data:`IMPACT_COLUMNS`: ``question`` str, ``metric`` str, ``n_yes``/``n_no`` int64 (valid
        answers), ``mean_yes``/``mean_no``/``difference``/``ci_low``/``ci_high`` float64 in the
        metric's units (% , ms, bpm, %), ``sufficient`` bool. Insufficient rows (e.g. all answers
        "yes") keep their counts and have NaN statistics.
    """
    data = answers_with_metrics(days, journal, start=start, end=end)
    rows: list[dict] = []
    for question, group in data.groupby("question", sort=True):
        yes_mask = group["answered_yes"].to_numpy(dtype=bool)
        qkey = zlib.crc32(str(question).encode("utf-8"))
        for m_idx, metric in enumerate(IMPACT_METRICS):
            v = group[metric].to_numpy(dtype=float)
            ok = ~np.isnan(v)
            yes, no = v[ok & yes_mask], v[ok & ~yes_mask]
            row = {"question": question, "metric": metric, "n_yes": yes.size, "n_no": no.size,
                   "mean_yes": np.nan, "mean_no": np.nan, "difference": np.nan,
                   "ci_low": np.nan, "ci_high": np.nan,
                   "sufficient": bool(yes.size >= min_answers and no.size >= min_answers)}
            if row["sufficient"]:
                row["mean_yes"], row["mean_no"] = float(yes.mean()), float(no.mean())
                row["difference"] = row["mean_yes"] - row["mean_no"]
                row["ci_low"], row["ci_high"] = bootstrap_diff_ci(
                    yes, no, n_boot=n_boot, seed=[seed, qkey, m_idx])
            rows.append(row)
    out = pd.DataFrame(rows, columns=IMPACT_COLUMNS)
    dtypes = {"question": "str", "metric": "str", "n_yes": "int64", "n_no": "int64",
              "sufficient": "bool"}
    return out.astype({c: dtypes.get(c, "float64") for c in IMPACT_COLUMNS})


def yes_day_verdict(impact: pd.DataFrame) -> pd.Series:
    """Whether "yes" days are better, worse or not clearly different, per impact row.

    ``"better"`` when the whole 95% CI of the difference (yes - no) lies on the side that is
    better for the row's metric (the catalogue's ``higher_is_better``: above 0 for recovery, HRV and sleep
    performance, below 0 for resting HR), ``"worse"`` when it lies wholly on the other side,
    else ``"unclear"`` (the CI contains 0, is NaN for an insufficient row, or the metric has no
    better direction).

    Args:
        impact: :func:`journal_impact` rows (``metric``, ``ci_low``, ``ci_high``).
    Returns:
        ``str`` series aligned to ``impact``.
    Raises:
        KeyError: a metric missing from the catalogue.
    """
    higher = [CATALOG[m].higher_is_better for m in impact["metric"]]
    low = pd.to_numeric(impact["ci_low"], errors="coerce").astype("float64").to_numpy()
    high = pd.to_numeric(impact["ci_high"], errors="coerce").astype("float64").to_numpy()
    up_good = np.array([h is True for h in higher], dtype=bool)
    down_good = np.array([h is False for h in higher], dtype=bool)
    better = (up_good & (low > 0)) | (down_good & (high < 0))
    worse = (up_good & (high < 0)) | (down_good & (low > 0))
    return pd.Series(np.select([better, worse], ["better", "worse"], default="unclear"),
                     index=impact.index, dtype="str")
