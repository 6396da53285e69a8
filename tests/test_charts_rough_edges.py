"""Figures that wasted or cut their space: the data-quality map's axis, the naps chart's edges
and year over year with many years (whoop.charts, on small invented frames)."""

from __future__ import annotations

import pandas as pd

from tests.test_metrics_calendar import dates, make_days
from whoop.charts import basic as cb
from whoop.charts import history
from whoop.metrics import quality

NAN = float("nan")


def test_ninety_days_fill_the_coverage_map_instead_of_a_quarter():
    days = make_days(dates("2024-03-04", 90), source="export")  # a Monday, 13 weeks
    fig = history.coverage_figure(quality.coverage(days))
    lo, hi = (pd.Timestamp(v) for v in fig.layout.xaxis.range)
    assert pd.Timedelta(weeks=12) <= hi - lo <= pd.Timedelta(weeks=14)  # was weeks 0..53
    x = pd.to_datetime(pd.Series(fig.data[0].x))
    assert lo < x.min() and x.max() < hi
    assert list(fig.layout.yaxis.categoryarray) == ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat",
                                                    "Sun"]
    # 2024-03-04 is a Monday: its square sits on the Mon row of its own week
    first = list(fig.data[0].text).index("2024-03-04")
    assert fig.data[0].y[first] == "Mon" and x.iloc[first] == pd.Timestamp("2024-03-04")


def test_a_range_across_new_year_stays_one_compact_block():
    days = make_days(dates("2023-11-15", 90), source="api")
    fig = history.coverage_figure(quality.coverage(days))
    lo, hi = (pd.Timestamp(v) for v in fig.layout.xaxis.range)
    assert hi - lo <= pd.Timedelta(weeks=15)
    assert len(fig.layout.yaxis.categoryarray) == 7


def test_a_long_range_uses_year_blocks_from_its_first_to_its_last_week():
    days = make_days(dates("2023-06-05", 500), source="export")
    fig = history.coverage_figure(quality.coverage(days))
    assert fig.layout.yaxis.categoryarray[0] == "2023 Mon"
    assert fig.layout.yaxis.categoryarray[-1] == "2024 Sun"
    assert tuple(fig.layout.xaxis.range) == (-0.6, 52.6)


def _naps(day_list: list[str], minutes: list[float]) -> pd.DataFrame:
    return pd.DataFrame({"date": pd.to_datetime(day_list), "asleep_min": minutes})


def test_nap_bars_on_the_range_edges_are_not_cut():
    naps = _naps(["2024-05-01", "2024-05-01", "2024-05-30"], [20.0, 35.0, 45.0])
    fig = cb.naps_figure(naps, pd.Timestamp("2024-05-01").date(),
                         pd.Timestamp("2024-05-30").date())
    lo, hi = (pd.Timestamp(v) for v in fig.layout.xaxis.range)
    half_bar = pd.Timedelta(days=cb.NAP_BAR_DAYS / 2)
    assert lo <= pd.Timestamp("2024-05-01") - half_bar  # the first bar is whole
    assert hi >= pd.Timestamp("2024-05-30") + half_bar  # and the last
    assert list(fig.data[0].width) == [cb.NAP_BAR_DAYS * cb.DAY_MS] * 3
    assert fig.layout.barmode == "stack"  # two naps of one day stack, never overlap


def test_nap_axis_is_the_range_even_when_naps_are_few():
    naps = _naps(["2024-05-10"], [30.0])
    fig = cb.naps_figure(naps, pd.Timestamp("2024-05-01").date(),
                         pd.Timestamp("2024-05-30").date())
    lo, hi = (pd.Timestamp(v) for v in fig.layout.xaxis.range)
    assert lo < pd.Timestamp("2024-05-01") and hi > pd.Timestamp("2024-05-30")


def _six_years() -> pd.DataFrame:
    frames = []
    for i, year in enumerate(range(2019, 2025)):
        doy = pd.Series(range(1, 366))
        frames.append(pd.DataFrame({"year": year, "day_of_year": doy,
                                    "value": 50.0 + i + (doy % 7)}))
    return pd.concat(frames, ignore_index=True)


def test_year_over_year_emphasises_one_year_against_a_grey_band_of_the_others():
    fig = history.year_over_year_figure(_six_years(), highlight=2021)
    lines = [t for t in fig.data if t.name and t.name.isdigit()]
    assert sorted(t.name for t in lines) == [str(y) for y in range(2019, 2025)]
    coloured = [t for t in lines if t.line.color != cb.GREY]
    assert [t.name for t in coloured] == ["2021"]
    assert coloured[0].line.width >= 3 and coloured[0].line.color == cb.BLUE
    assert all(t.line.width <= 1 for t in lines if t.name != "2021")
    upper = [i for i, t in enumerate(fig.data) if t.fill == "tonexty"]
    assert len(upper) == 1
    low, high = fig.data[upper[0] - 1], fig.data[upper[0]]
    # day 1 of the other years: 2019 is lowest (51), 2024 highest (56); 2021 is not part of it
    assert (low.y[0], high.y[0]) == (51.0, 56.0)


def test_year_over_year_defaults_to_the_latest_year():
    fig = history.year_over_year_figure(_six_years())
    assert [t.name for t in fig.data if t.name and t.name.isdigit()
            and t.line.color == cb.BLUE] == ["2024"]


def test_long_journal_questions_wrap_instead_of_being_cut():
    from whoop.charts import analytics as ac

    long_q = "Did you have any caffeine within four hours of going to bed <b>last night</b>?"
    impact = pd.DataFrame({"question": [long_q, "Alcohol?"], "metric": "recovery_score",
                           "n_yes": 9, "n_no": 9, "mean_yes": NAN, "mean_no": NAN,
                           "difference": [1.0, -2.0], "ci_low": [-1.0, -4.0],
                           "ci_high": [3.0, -0.5], "sufficient": True})
    fig = ac.journal_forest_figure(impact)
    label = next(y for y in fig.data[0].y if y != "Alcohol?")
    lines = label.split("<br>")
    assert len(lines) >= 3 and "<b>" not in label  # wrapped, and still escaped
    assert all(len(line) <= ac.QUESTION_WRAP + 12 for line in lines)  # + room for escapes
    assert fig.layout.height >= 18 * len(lines) + 100
