"""The analytics as CSV files for use elsewhere (``python -m whoop report --out DIR``).

Pure: frames in, files out. Values stay in canonical units (the unit is in each column name:
docs/ARCHITECTURE.md "Units and names"); dates are written ``YYYY-MM-DD``; missing values are empty
fields. Every file goes through :func:`whoop.csvout.write_csv`: text cells are quoted, and a
question that begins like a spreadsheet formula (``=``, ``+``, ``-``, ``@``, tab, CR) gets a leading
``'``.

Files (one athlete per call):

=========================  =====================================================================
journal_impact.csv         question, metric, n_yes, n_no, mean_yes, mean_no, difference, ci_low,
                           ci_high  (:func:`whoop.metrics.journal.journal_impact`; insufficient
                           rows keep n_yes / n_no and leave the statistics empty)
baselines.csv              per calendar day: HRV 7-day ln-RMSSD mean, normal range, CV and the
                           other inputs' baselines and z-scores
                           (:func:`whoop.metrics.baselines.baselines`)
training_load.csv          per calendar day: acute, chronic and their ratio (``acwr_strain``,
                           ``acwr_energy``) of strain and energy, provisional
                           (:func:`whoop.metrics.load.training_load`)
sleep_debt.csv             per calendar day: asleep vs need and its parts, the debt ledger
                           (:mod:`whoop.metrics.sleep`)
sleep_regularity.csv       bedtime / wake / mid-sleep circular mean and SD, all / work / free nights
excluded_records.csv       record, reason, count (:func:`whoop.metrics.quality.excluded_counts`)
README.txt                 athlete, windows used, and the "association, not causation" note
=========================  =====================================================================
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from whoop.csvout import write_csv
from whoop.metrics.baselines import baselines
from whoop.metrics.clock import sleep_regularity
from whoop.metrics.journal import IMPACT_COLUMNS, journal_impact
from whoop.metrics.load import training_load
from whoop.metrics.quality import excluded_counts
from whoop.metrics.sleep import sleep_debt_ledger, sleep_need_split
from whoop.metrics.units import Settings

JOURNAL_IMPACT_COLUMNS = [c for c in IMPACT_COLUMNS if c != "sufficient"]


def _write(frame: pd.DataFrame, path: Path) -> Path:
    write_csv(frame, path, date_format="%Y-%m-%d", float_format="%.10g")
    return path


def sleep_debt_frame(days: pd.DataFrame) -> pd.DataFrame:
    """:func:`sleep_need_split` and :func:`sleep_debt_ledger` side by side, one row per calendar
    day (the ``sleep_debt.csv`` frame; minutes and %)."""
    split = sleep_need_split(days)
    ledger = sleep_debt_ledger(days).drop(columns=["date", "whoop_sleep_debt_min"])
    return pd.concat([split, ledger], axis=1)


def write_report(days: pd.DataFrame, sleeps: pd.DataFrame | None, workouts: pd.DataFrame | None,
                 journal: pd.DataFrame | None, out_dir: Path, *, athlete: str,
                 settings: Settings | None = None) -> list[Path]:
    """Write the analytics CSVs of one athlete into ``out_dir`` (created if needed).

    Args:
        days: daily frame (``schema.DAYS``); sleeps, workouts, journal: ``schema.SLEEPS`` /
            ``WORKOUTS`` / ``JOURNAL`` frames or None.
        out_dir: target folder; existing files of the same names are replaced.
        athlete: name written to README.txt.
        settings: window lengths (HRV normal range, baselines, acute / chronic); units are not
            applied (CSV stays in canonical units). Default :class:`Settings`.
    Returns:
        the paths written, in the order of the module table.
    Raises:
        OSError: the folder or a file cannot be written.
    """
    s = settings or Settings()
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    empty_journal = journal if journal is not None else pd.DataFrame(
        {"cycle_start_utc": pd.Series(dtype="datetime64[us, UTC]"),
         "question": pd.Series(dtype="str"), "answered_yes": pd.Series(dtype="bool")})
    impact = journal_impact(days, empty_journal)[JOURNAL_IMPACT_COLUMNS]
    paths = [
        _write(impact, out / "journal_impact.csv"),
        _write(baselines(days, hrv_window=s.hrv_normal_window_days,
                         window=s.baseline_window_days), out / "baselines.csv"),
        _write(training_load(days, acute=s.acute_days, chronic=s.chronic_days),
               out / "training_load.csv"),
        _write(sleep_debt_frame(days), out / "sleep_debt.csv"),
        _write(sleep_regularity(days), out / "sleep_regularity.csv"),
        _write(excluded_counts(days, sleeps, workouts), out / "excluded_records.csv"),
    ]
    readme = out / "README.txt"
    readme.write_text(
        f"WHOOP analytics for {athlete}\n"
        f"HRV normal range: {s.hrv_normal_window_days} days; other baselines: "
        f"{s.baseline_window_days} days; ACWR EWMA: {s.acute_days} / {s.chronic_days} days.\n"
        "Units are in the column names (ms, bpm, rpm, c, pct, min, kj).\n"
        "journal_impact.csv shows associations, not causes: a difference between 'yes' and 'no'\n"
        "days does not say that the behaviour caused it.\n", encoding="utf-8")
    paths.append(readme)
    return paths
