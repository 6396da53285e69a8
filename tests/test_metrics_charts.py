"""whoop.charts.analytics: figures are built from the metric frames, and gaps stay gaps."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from tests.test_metrics_calendar import dates, make_days
from whoop import schema
from whoop.charts import analytics as charts
from whoop.charts import history
from whoop.metrics import baselines, clock, horizons, journal, load, quality, sleep
from whoop.metrics.units import Settings


def _days(n: int = 90, gap: range = range(40, 45)) -> pd.DataFrame:
    rng = np.random.default_rng(3)
    keep = [i for i in range(n) if i not in gap]
    all_dates = dates("2024-01-01", n)
    d = pd.to_datetime(pd.Series([all_dates[i] for i in keep]))
    k = len(keep)
    return make_days([all_dates[i] for i in keep],
                     hrv_rmssd_ms=list(np.exp(rng.normal(4, 0.2, k))),
                     resting_heart_rate_bpm=list(rng.normal(50, 2, k)),
                     skin_temp_c=list(rng.normal(33, 0.3, k)),
                     recovery_score=list(rng.uniform(1, 99, k)),
                     day_strain=list(rng.uniform(4, 18, k)), energy_kj=[9000.0] * k,
                     asleep_min=[420.0] * k, sleep_need_min=[460.0] * k,
                     sleep_debt_min=[20.0] * k,
                     sleep_onset_utc=(d - pd.Timedelta(hours=1)).dt.tz_localize("UTC"),
                     wake_utc=(d + pd.Timedelta(hours=7)).dt.tz_localize("UTC"))


def _no_bridging(fig: go.Figure) -> None:
    for trace in fig.data:
        if isinstance(trace, go.Scatter) and trace.mode and "lines" in trace.mode:
            assert not trace.connectgaps


def test_hrv_figure_breaks_at_the_gap_and_marks_flags():
    base = baselines.hrv_baseline(_days())
    fig = charts.hrv_figure(base)
    _no_bridging(fig)
    daily = next(t for t in fig.data if t.name == "Daily RMSSD")
    assert all(math.isnan(v) for v in np.asarray(daily.y, float)[40:45])
    band = [t for t in fig.data if t.fill == "tonexty"]
    assert len(band) == 1
    assert np.isnan(np.asarray(band[0].y, float)[:20]).all()    # insufficient -> no band


def test_acwr_figure_styles_provisional_days_apart():
    fig = charts.acwr_figure(load.training_load(_days()))
    _no_bridging(fig)
    solid, dotted = fig.data
    assert dotted.line.dash == "dot"
    assert np.isnan(np.asarray(solid.y, float)[:20]).all()       # first 20 days provisional
    assert not np.isnan(np.asarray(dotted.y, float)[:20]).all()
    assert fig.layout.shapes[0].y0 == 0.8 and fig.layout.shapes[0].y1 == 1.3


def test_sleep_and_clock_figures():
    days = _days()
    need = charts.sleep_need_figure(sleep.sleep_need_split(days))
    assert need.layout.barmode == "relative"
    assert {t.name for t in need.data} >= {"Sleep debt", "Other / unsplit", "Asleep"}
    charts.debt_ledger_figure(sleep.sleep_debt_ledger(days))
    fig = charts.clock_figure(clock.rolling_clock(days), settings=Settings(clock="12h"))
    bed = next(t for t in fig.data if t.name == "Bedtime")
    assert np.nanmax(np.asarray(bed.y, float)) == 660.0          # 23:00 on the noon axis
    assert "12:00 AM" in fig.layout.yaxis.ticktext


def test_baseline_figure_converts_to_fahrenheit():
    base = baselines.metric_baselines(_days())
    fig = charts.baseline_figure(base, "skin_temp", settings=Settings(temperature_unit="F"))
    assert "°F" in fig.layout.yaxis.title.text
    value = next(t for t in fig.data if t.name == "Skin temperature")
    assert 88 < np.nanmean(np.asarray(value.y, float)) < 94


def test_calendar_heatmap_uses_whoop_colours_and_leaves_missing_blank():
    fig = history.calendar_heatmap_figure(horizons.calendar_heatmap_frame(_days()))
    heat = fig.data[0]
    colours = {c for _, c in heat.colorscale}
    assert colours == {"#FF0026", "#FFDE00", "#16EC06"}
    z = np.asarray(heat.z, float)
    assert np.isnan(z).sum() > 366 - 90


def test_journal_forest_shows_insufficient_questions():
    days = _days()
    yes = [i % 3 == 0 for i in range(len(days))]
    j = schema.conform(pd.DataFrame({"entry_key": [str(i) for i in range(2 * len(days))],
                                     "cycle_start_utc": list(days["cycle_start_utc"]) * 2,
                                     "question": ["Alcohol?"] * len(days) + ["Rare?"] * len(days),
                                     "answered_yes": yes + [True] * len(days)}), "journal")
    fig = charts.journal_forest_figure(journal.journal_impact(days, j))
    assert list(fig.data[0].y) == ["Alcohol?"]
    assert fig.data[1].text == ("insufficient data",)


def test_other_figures_build():
    days = _days()
    pairs = load.strain_vs_next_recovery(days)
    figs = [charts.hrv_cv_figure(baselines.hrv_baseline(days)),
            charts.load_figure(load.training_load(days), "energy_kj",
                               settings=Settings(energy_unit="kcal")),
            charts.stage_pct_figure(sleep.stage_percentages(days)),
            charts.strain_recovery_figure(pairs),
            charts.strain_band_figure(load.next_recovery_by_strain_band(pairs)),
            history.year_over_year_figure(horizons.year_over_year(days)),
            history.month_of_year_figure(horizons.month_of_year(days)),
            history.coverage_figure(quality.coverage(days)),
            history.coverage_figure(quality.coverage(schema.empty_frame("days")))]
    for fig in figs:
        assert isinstance(fig, go.Figure)
        _no_bridging(fig)
    assert figs[1].layout.yaxis.title.text == "kcal"
