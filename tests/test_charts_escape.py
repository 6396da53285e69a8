"""Figure text made from data is escaped for plotly (whoop.escape.plotly): workout activity
names (legend names, categories, hover templates) and journal questions (categories)."""

from __future__ import annotations

import pandas as pd

from tests.hostile_data import HOSTILE_QUESTION, HOSTILE_SPORT
from whoop import escape
from whoop.charts.analytics import activity_time_figure, journal_forest_figure
from whoop.charts.basic import activity_figure

SPORT = escape.plotly(HOSTILE_SPORT)


def _texts(fig) -> list[str]:
    out = []
    for trace in fig.data:
        for attr in ("name", "hovertemplate", "text"):
            v = getattr(trace, attr, None)
            if isinstance(v, str):
                out.append(v)
        for attr in ("x", "y"):
            v = getattr(trace, attr, None)
            if v is not None:
                out += [x for x in v if isinstance(x, str)]
    return out


def _assert_inert(texts: list[str]) -> None:
    for t in texts:
        assert "<a " not in t and "<b>" not in t, t


def test_activity_figure_escapes_activity_names():
    by = pd.DataFrame({"sport_name": [HOSTILE_SPORT, "Running"], "workout_count": [3, 2],
                       "activity_strain_sum": [30.0, 20.0], "duration_min": [90.0, 60.0]})
    texts = _texts(activity_figure(by))
    _assert_inert(texts)
    assert SPORT in texts and "Running" in texts


def test_activity_time_figure_escapes_names_and_template_text():
    sport = '%{y} <b>b</b> <a href="http://127.0.0.2/">x</a>'
    by = pd.DataFrame({"period_start": pd.to_datetime(["2025-01-06", "2025-01-06", "2025-01-13"]),
                       "sport_name": [sport, "Running", sport], "duration_min": [1.0, 2.0, 3.0]})
    fig = activity_time_figure(by, "duration_min", "hours")
    _assert_inert(_texts(fig))
    trace = next(t for t in fig.data if t.name == escape.plotly(sport))
    assert trace.hovertemplate.startswith("&#37;{y} &lt;b&gt;b&lt;/b&gt; &lt;a href=")
    assert trace.hovertemplate.count("%{y") == 1   # only the app's own variable is live


def test_journal_forest_figure_escapes_questions():
    rows = []
    for q, ok in ((HOSTILE_QUESTION, True), ("<b>few</b>?", False)):
        rows.append({"question": q, "metric": "recovery_score", "sufficient": ok,
                     "difference": 5.0, "ci_low": 1.0, "ci_high": 9.0, "n_yes": 6, "n_no": 7,
                     "mean_yes": 60.0, "mean_no": 55.0})
    fig = journal_forest_figure(pd.DataFrame(rows))
    texts = [t.replace("<br>", " ") for t in _texts(fig)]
    _assert_inert(texts)
    assert escape.plotly(HOSTILE_QUESTION) in texts
    assert escape.plotly("<b>few</b>?") in texts
