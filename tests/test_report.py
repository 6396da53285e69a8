"""whoop.report.write_report on the project's own demo export (generated, never real rows)."""

from __future__ import annotations

import csv

import pandas as pd
import pytest

from tests.test_metrics_calendar import make_days
from whoop import schema
from whoop.days import build_days
from whoop.demo import write_demo_export
from whoop.export import read_export
from whoop.metrics.units import Settings
from whoop.report import write_report

FILES = ["journal_impact.csv", "baselines.csv", "training_load.csv", "sleep_debt.csv",
         "sleep_regularity.csv", "excluded_records.csv", "README.txt"]


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    folder = tmp_path_factory.mktemp("demo")
    data = read_export([write_demo_export(folder, days=150)], source="demo")
    days = build_days(data.cycles, data.recoveries, data.sleeps, data.workouts)
    return days, data


def _header(path):
    with open(path, newline="", encoding="utf-8") as f:
        return next(csv.reader(f))


def test_write_report_files_columns_and_rows(demo, tmp_path):
    days, data = demo
    paths = write_report(days, data.sleeps, data.workouts, data.journal, tmp_path / "out",
                         athlete="Demo")
    assert [p.name for p in paths] == FILES
    span = (days["date"].max() - days["date"].min()).days + 1

    impact = pd.read_csv(tmp_path / "out" / "journal_impact.csv")
    assert impact.columns.tolist() == ["question", "metric", "n_yes", "n_no", "mean_yes",
                                       "mean_no", "difference", "ci_low", "ci_high"]
    questions = data.journal["question"].nunique()
    assert len(impact) == 4 * questions > 0
    assert set(impact["metric"]) == {"recovery_score", "hrv_rmssd_ms", "resting_heart_rate_bpm",
                                     "sleep_performance_pct"}
    ok = impact.dropna(subset=["difference"])
    assert len(ok) > 0 and ((ok["n_yes"] >= 5) & (ok["n_no"] >= 5)).all()
    assert (ok["ci_low"] <= ok["difference"]).all() and (ok["difference"] <= ok["ci_high"]).all()

    base = pd.read_csv(tmp_path / "out" / "baselines.csv")
    assert len(base) == span
    for col in ["date", "hrv_ln_rmssd_7d", "hrv_normal_low", "hrv_normal_high", "hrv_cv_7d_pct",
                "hrv_normal_days", "rhr_baseline_bpm", "rhr_z", "resp_baseline_rpm", "resp_z",
                "skin_temp_baseline_c", "skin_temp_z", "spo2_baseline_pct", "spo2_z"]:
        assert col in base.columns
    assert base["hrv_normal_low"].notna().sum() > 0

    load = pd.read_csv(tmp_path / "out" / "training_load.csv")
    assert load.columns.tolist() == ["date", "day_strain", "acute_strain", "chronic_strain",
                                     "acwr_strain", "energy_kj", "acute_energy_kj",
                                     "chronic_energy_kj", "acwr_energy", "load_days",
                                     "acwr_provisional"]
    assert len(load) == span and load["acwr_provisional"].iloc[0]

    debt = pd.read_csv(tmp_path / "out" / "sleep_debt.csv")
    assert len(debt) == span
    assert {"asleep_min", "sleep_need_min", "need_debt_min", "debt_ledger_min"} <= set(debt)
    assert (debt["debt_ledger_min"].dropna() >= 0).all()
    assert _header(tmp_path / "out" / "excluded_records.csv") == ["record", "reason", "count"]
    assert "association" in (tmp_path / "out" / "README.txt").read_text(encoding="utf-8").lower()


def test_dates_are_plain_iso_days(demo, tmp_path):
    days, data = demo
    write_report(days, data.sleeps, data.workouts, data.journal, tmp_path, athlete="Demo")
    with open(tmp_path / "baselines.csv", encoding="utf-8") as f:
        f.readline()
        first = f.readline().split(",")[0]
    assert first == days["date"].min().strftime("%Y-%m-%d")


def test_settings_windows_are_used(tmp_path):
    days = make_days([d.strftime("%Y-%m-%d") for d in pd.date_range("2024-01-01", periods=20)],
                     hrv_rmssd_ms=[50.0, 60.0] * 10)
    write_report(days, None, None, None, tmp_path, athlete="x",
                 settings=Settings(hrv_normal_window_days=14))
    base = pd.read_csv(tmp_path / "baselines.csv")
    assert base["hrv_normal_low"].notna().any()       # 14-day window needs 7 days, not 20


def test_empty_athlete_writes_headers_only(tmp_path):
    paths = write_report(schema.empty_frame("days"), None, None, None, tmp_path, athlete="none")
    assert len(paths) == len(FILES)
    assert pd.read_csv(tmp_path / "journal_impact.csv").empty
    assert pd.read_csv(tmp_path / "training_load.csv").empty
