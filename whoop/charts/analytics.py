"""Figures of the analytics (baselines, sleep, load, journal): frame in,
``plotly.graph_objects.Figure`` out.

Inputs are the frames of :mod:`whoop.metrics` (one row per calendar day, NaN for missing or
invalid days), so lines break at gaps: every trace has ``connectgaps=False``. Values arrive in
canonical units; figures that show energy or temperature take a :class:`Settings` and convert
for display. No streamlit, no IO.
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterable

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from whoop import escape
from whoop.charts import theme
from whoop.charts.basic import line_trace as _line
from whoop.charts.theme import BLUE, FG, GREEN, GREY, ORANGE, RED, TEAL, VIOLET, YELLOW
from whoop.metrics.catalog import CATALOG, by_prefix
from whoop.metrics.journal import yes_day_verdict
from whoop.metrics.load import STRAIN_LABELS, SWEET_SPOT, acwr_column
from whoop.metrics.units import Settings, format_clock

_layout = theme.layout


def _labels(values: pd.Series) -> pd.Series:
    """Text from a file or from WHOOP (journal questions) as plotly category labels, escaped
    (:func:`whoop.escape.plotly`: plotly renders a subset of HTML in tick labels and hovers)."""
    return values.map(escape.plotly, na_action="ignore")


#: characters per line of a wrapped journal question (a tick label that fits beside the plot
#: in a 1280 px window)
QUESTION_WRAP = 34


def _wrapped_labels(values: pd.Series, width: int = QUESTION_WRAP) -> pd.Series:
    """:func:`_labels`, each wrapped at ``width`` characters with ``<br>`` (plotly's only line
    break; each piece escaped first), so a long journal question is never cut at the edge."""
    return values.map(lambda v: "<br>".join(escape.plotly(line) for line in
                                            textwrap.wrap(str(v), width) or [""]),
                      na_action="ignore")


def _band(x: Iterable[object], low: Iterable[object], high: Iterable[object], name: str,
          color: str) -> list[go.Scatter]:
    """A filled band between ``low`` and ``high`` that breaks at NaN (no bridging)."""
    return [go.Scatter(x=x, y=low, mode="lines", line=dict(width=0), showlegend=False,
                       connectgaps=False, hoverinfo="skip"),
            go.Scatter(x=x, y=high, mode="lines", line=dict(width=0), fill="tonexty",
                       fillcolor=color, name=name, connectgaps=False, hoverinfo="skip")]


def hrv_figure(base: pd.DataFrame) -> go.Figure:
    """HRV: daily RMSSD (dots), 7-day ln-RMSSD mean and the 60-day normal range, in ms.

    Args:
        base: :func:`whoop.metrics.baselines.hrv_baseline` frame (date, hrv_rmssd_ms,
            hrv_ln_rmssd_7d, hrv_normal_low/high, hrv_below_normal, hrv_above_normal).
    ln values are shown as exp(ln) (geometric means, ms). Days whose 7-day mean is below the
    range are marked red, above it yellow. No band is drawn where the range is insufficient.
    """
    x = base["date"]
    fig = go.Figure(_band(x, np.exp(base["hrv_normal_low"]), np.exp(base["hrv_normal_high"]),
                          "Normal range (60 d, mean ± 0.5 SD)", "rgba(22,236,6,0.15)"))
    fig.add_trace(go.Scatter(x=x, y=base["hrv_rmssd_ms"], mode="markers", name="Daily RMSSD",
                             marker=dict(color=GREY, size=5),
                             hovertemplate="RMSSD: %{y:.0f} ms<extra></extra>"))
    mean7 = np.exp(base["hrv_ln_rmssd_7d"])
    fig.add_trace(_line(x, mean7, "7-day mean", BLUE, hover="%{y:.0f} ms"))
    for flag, color, label in (("hrv_below_normal", RED, "Below normal"),
                               ("hrv_above_normal", YELLOW, "Above normal")):
        m = base[flag].astype(bool)
        fig.add_trace(go.Scatter(x=x[m], y=mean7[m], mode="markers", name=label,
                                 marker=dict(color=color, size=8, symbol="diamond")))
    return _layout(fig, yaxis="HRV RMSSD (ms)", hovermode="x unified")


def hrv_cv_figure(base: pd.DataFrame) -> go.Figure:
    """7-day coefficient of variation of ln(RMSSD) in % (Plews et al. 2012)."""
    fig = go.Figure(_line(base["date"], base["hrv_cv_7d_pct"], "HRV CV (7 d)", VIOLET,
                          hover="%{y:.1f} %"))
    return _layout(fig, yaxis="CV of ln RMSSD (%)", hovermode="x unified")


def baseline_figure(base: pd.DataFrame, prefix: str, *, settings: Settings | None = None,
                    z_limit: float = 2.0) -> go.Figure:
    """One input against its trailing baseline: daily value, baseline line, ±1 SD band, and
    markers on days with ``|z| >= z_limit``.

    Args:
        base: :func:`whoop.metrics.baselines.metric_baselines` frame.
        prefix: a catalogue baseline prefix ("rhr", "resp", "skin_temp", "spo2", ...).
        settings: display units (skin temperature in °F when chosen; default Settings()).
    Raises:
        KeyError: unknown prefix.
    """
    metric = by_prefix(prefix)
    col, name, units = metric.column, metric.name, metric.suffix
    s = settings or Settings()
    conv = s.temperature if metric.unit == "°C" else (lambda v: v)
    mean = base[f"{prefix}_baseline_{units}"]
    sd = base[f"{prefix}_sd_{units}"]
    x = base["date"]
    fig = go.Figure(_band(x, conv(mean - sd), conv(mean + sd), "Baseline ± 1 SD",
                          "rgba(63,169,245,0.15)"))
    fig.add_trace(_line(x, conv(mean), "Baseline", BLUE, dash="dot"))
    fig.add_trace(go.Scatter(x=x, y=conv(base[col]), mode="lines+markers", name=name,
                             connectgaps=False, line=dict(color=FG, width=1.5),
                             marker=dict(size=4)))
    out = base[f"{prefix}_z"].abs() >= z_limit
    fig.add_trace(go.Scatter(x=x[out], y=conv(base.loc[out, col]), mode="markers",
                             name=f"|z| ≥ {z_limit:g}", marker=dict(color=RED, size=9)))
    return _layout(fig, yaxis=metric.title(s, text=name), hovermode="x unified")


def acwr_figure(load: pd.DataFrame, stem: str = "strain") -> go.Figure:
    """Acute:chronic workload ratio with the 0.8-1.3 sweet spot (Hulin et al. 2016); provisional
    stretches (fewer than 21 of 28 days with data) are drawn dotted and grey.

    Args:
        load: :func:`whoop.metrics.load.training_load` frame; stem: "strain" or "energy_kj".
    """
    x, ratio = load["date"], load[acwr_column(stem)]
    prov = load["acwr_provisional"].astype(bool)
    fig = go.Figure()
    fig.add_hrect(y0=SWEET_SPOT[0], y1=SWEET_SPOT[1], fillcolor="rgba(22,236,6,0.12)",
                  line_width=0, annotation_text="0.8-1.3", annotation_position="top left")
    fig.add_trace(_line(x, ratio.where(~prov), "ACWR", GREEN, hover="%{y:.2f}"))
    fig.add_trace(_line(x, ratio.where(prov), "ACWR (provisional)", GREY, dash="dot",
                        hover="%{y:.2f}"))
    return _layout(fig, yaxis=f"ACWR ({'day strain' if stem == 'strain' else 'energy'})",
                   hovermode="x unified")


def load_figure(load: pd.DataFrame, stem: str = "strain", *,
                settings: Settings | None = None) -> go.Figure:
    """Acute (7 d) and chronic (28 d) EWMA load with the daily values as bars; energy is
    converted to the chosen unit."""
    conv, unit = (lambda v: v), "strain"
    if stem != "strain":
        s = settings or Settings()
        conv, unit = s.energy, s.energy_unit
    daily = "day_strain" if stem == "strain" else "energy_kj"
    x = load["date"]
    fig = go.Figure(go.Bar(x=x, y=conv(load[daily]), name="Daily", marker_color=GREY,
                           opacity=0.5))
    fig.add_trace(_line(x, conv(load[f"acute_{stem}"]), "Acute (7 d EWMA)", ORANGE))
    fig.add_trace(_line(x, conv(load[f"chronic_{stem}"]), "Chronic (28 d EWMA)", BLUE))
    return _layout(fig, yaxis=unit, hovermode="x unified")


_NEED_NAMES = {"need_baseline_min": ("Baseline", "#5C6BC0"),
               "need_strain_min": ("Recent strain", ORANGE),
               "need_debt_min": ("Sleep debt", RED), "need_other_min": ("Other / unsplit", GREY),
               "need_nap_min": ("Naps (credit)", TEAL)}


def sleep_need_figure(split: pd.DataFrame) -> go.Figure:
    """Sleep need stacked by its parts (bars, hours) with hours asleep as a line.

    Args:
        split: :func:`whoop.metrics.sleep.sleep_need_split` frame (minutes).
    The nap credit is negative and stacks below zero (plotly ``barmode="relative"``).
    """
    x = split["date"]
    fig = go.Figure()
    for col, (name, color) in _NEED_NAMES.items():
        y = split[col] / 60
        if y.fillna(0).abs().sum() == 0:
            continue
        fig.add_trace(go.Bar(x=x, y=y, name=name, marker_color=color,
                             hovertemplate=f"{name}: %{{y:.1f}} h<extra></extra>"))
    fig.add_trace(go.Scatter(x=x, y=split["asleep_min"] / 60, name="Asleep", mode="lines+markers",
                             connectgaps=False, line=dict(color=FG, width=2),
                             hovertemplate="Asleep: %{y:.1f} h<extra></extra>"))
    return _layout(fig, yaxis="hours", barmode="relative", hovermode="x unified")


def debt_ledger_figure(ledger: pd.DataFrame) -> go.Figure:
    """Nightly sleep balance against the need without its debt part (bars, hours: green above
    need, red short of it), the rolling 14-night debt ledger (line) and WHOOP's own sleep debt
    (dotted) where reported.

    Args:
        ledger: :func:`whoop.metrics.sleep.sleep_debt_ledger` frame (minutes).
    """
    x = ledger["date"]
    bal = ledger["sleep_balance_min"] / 60
    fig = go.Figure(go.Bar(x=x, y=bal, name="Nightly balance (+ above need, − short)",
                           marker_color=np.where(bal.fillna(0) < 0, RED, GREEN),
                           hovertemplate="Balance: %{y:+.1f} h<extra></extra>"))
    fig.add_trace(_line(x, ledger["debt_ledger_min"] / 60, "Sleep debt (14 nights)", ORANGE))
    fig.add_trace(_line(x, ledger["whoop_sleep_debt_min"] / 60, "WHOOP sleep debt", FG,
                        dash="dot"))
    return _layout(fig, yaxis="hours", hovermode="x unified")


def _noon_axis(minutes: pd.Series) -> pd.Series:
    """Clock minutes on a noon-to-noon axis (0 = 12:00, 720 = midnight) so nights don't wrap."""
    return (minutes - 720) % 1440


def clock_figure(clock: pd.DataFrame, *, settings: Settings | None = None) -> go.Figure:
    """Bedtime and wake time per night with their rolling circular means on a noon-to-noon axis.

    Args:
        clock: :func:`whoop.metrics.clock.rolling_clock` frame (minutes after local midnight).
        settings: 12- or 24-hour tick labels.
    """
    hour12 = (settings or Settings()).hour12
    x = clock["date"]
    fig = go.Figure()
    for event, color, name in (("bedtime", VIOLET, "Bedtime"), ("wake", YELLOW, "Wake")):
        fig.add_trace(go.Scatter(x=x, y=_noon_axis(clock[f"{event}_min"]), mode="markers",
                                 name=name, marker=dict(color=color, size=5, opacity=0.6)))
        if f"{event}_mean_min" in clock:
            fig.add_trace(_line(x, _noon_axis(clock[f"{event}_mean_min"]), f"{name} (mean)",
                                color))
    ticks = list(range(0, 1441, 120))
    fig.update_yaxes(tickvals=ticks, ticktext=[format_clock(t + 720, hour12=hour12)
                                               for t in ticks], autorange="reversed")
    return _layout(fig, yaxis="local clock time", hovermode="closest")


def stage_pct_figure(stages: pd.DataFrame, *, smooth_days: int = 7) -> go.Figure:
    """Light / deep / REM as % of time asleep and awake as % of time in bed, as rolling
    ``smooth_days`` means (needs half the window)."""
    names = {"light_pct": ("Light", "#7FB2FF"), "deep_pct": ("Deep (SWS)", "#3D5AFE"),
             "rem_pct": ("REM", "#B388FF"), "awake_pct": ("Awake (of in bed)", GREY)}
    fig = go.Figure()
    for col, (name, color) in names.items():
        y = stages[col].rolling(smooth_days, min_periods=max(1, smooth_days // 2)).mean()
        fig.add_trace(_line(stages["date"], y.where(stages[col].notna()), name, color,
                            hover="%{y:.0f} %"))
    return _layout(fig, yaxis="%", hovermode="x unified")


def strain_recovery_figure(pairs: pd.DataFrame) -> go.Figure:
    """Day strain vs next day's recovery: one dot per pair, coloured by recovery zone.

    Args:
        pairs: :func:`whoop.metrics.load.strain_vs_next_recovery` frame.
    """
    rec = pairs["next_recovery_score"]
    colors = np.select([rec >= 67, rec >= 34], [GREEN, YELLOW], default=RED)
    fig = go.Figure(go.Scatter(x=pairs["day_strain"], y=rec, mode="markers",
                               marker=dict(color=colors, size=6, opacity=0.7),
                               text=pairs["date"].dt.strftime("%Y-%m-%d"),
                               hovertemplate="%{text}: strain %{x:.1f} → "
                                             "recovery %{y:.0f} %<extra></extra>"))
    for edge in (10, 14, 18):
        fig.add_vline(x=edge, line=dict(color=GREY, dash="dot", width=1))
    fig.update_xaxes(title="day strain", range=[0, 21])
    return _layout(fig, yaxis="next-day recovery (%)", hovermode="closest")


VERDICT_COLORS = {"better": GREEN, "worse": RED, "unclear": GREY}


def journal_forest_figure(impact: pd.DataFrame, metric: str = "recovery_score", *,
                          label: str = "Recovery (%)") -> go.Figure:
    """Forest plot: per question, difference (yes - no) with its 95% bootstrap CI, coloured by
    benefit: green = better on "yes" days, red = worse, grey = the CI crosses 0
    (:func:`whoop.metrics.journal.yes_day_verdict`: higher is better for recovery, HRV and sleep
    performance, lower for resting HR). Questions with too few answers are listed with
    "insufficient data". Association, not causation.

    Args:
        impact: :func:`whoop.metrics.journal.journal_impact` frame.
        metric: a catalogue column (:data:`whoop.metrics.catalog.CATALOG`).
    Raises:
        KeyError: an unknown ``metric``.
    """
    higher = CATALOG[metric].higher_is_better
    better = "" if higher is None else "; higher is better" if higher else "; lower is better"
    rows = impact[impact["metric"] == metric].copy()
    ok = rows["sufficient"].astype(bool)
    good = rows[ok].sort_values("difference")
    colors: pd.Series | list[str] = yes_day_verdict(good).map(VERDICT_COLORS) if len(good) else []
    fig = go.Figure(go.Scatter(
        x=good["difference"], y=_wrapped_labels(good["question"]), mode="markers",
        marker=dict(color=list(colors), size=9),
        error_x=dict(type="data", symmetric=False, array=good["ci_high"] - good["difference"],
                     arrayminus=good["difference"] - good["ci_low"], color=FG),
        customdata=np.stack([good["n_yes"], good["n_no"]], axis=-1) if len(good) else None,
        hovertemplate="%{y}: %{x:+.1f} (yes n=%{customdata[0]}, no n=%{customdata[1]})"
                      "<extra></extra>", name="yes − no"))
    fig.add_vline(x=0, line=dict(color=GREY, width=1))
    bad = rows[~ok]
    if len(bad):
        fig.add_trace(go.Scatter(x=[0] * len(bad), y=_wrapped_labels(bad["question"]),
                                 mode="text",
                                 text=["insufficient data"] * len(bad), name="too few answers",
                                 textfont=dict(color=GREY)))
    fig.update_xaxes(title=f"difference in {label}, yes − no (95% CI){better}")
    lines = sum(len(textwrap.wrap(str(q), QUESTION_WRAP)) or 1 for q in rows["question"])
    fig.update_yaxes(automargin=True)
    return _layout(fig, height=max(240, 18 * lines + 12 * len(rows) + 100),
                   hovermode="closest", showlegend=False)


def strain_band_figure(summary: pd.DataFrame) -> go.Figure:
    """Mean next-day recovery per WHOOP strain band with n in the hover
    (:func:`whoop.metrics.load.next_recovery_by_strain_band`)."""
    s = summary.set_index("strain_band").reindex(STRAIN_LABELS).reset_index()
    fig = go.Figure(go.Bar(x=s["strain_band"], y=s["mean_next_recovery"], marker_color=BLUE,
                           customdata=s["n"],
                           hovertemplate="%{x}: %{y:.0f} % (n=%{customdata})<extra></extra>"))
    return _layout(fig, yaxis="mean next-day recovery (%)")


#: colours of the activities in :func:`activity_time_figure`, most frequent first
ACTIVITY_COLORS = [BLUE, ORANGE, GREEN, VIOLET, TEAL, YELLOW, RED, "#7FB2FF", "#FF7AB6", FG]


def activity_time_figure(by: pd.DataFrame, value: str, label: str, *, top: int = 8) -> go.Figure:
    """Workouts by activity over time: stacked bars of ``value`` per period, one colour per
    activity for the ``top`` activities by total ``value``, the rest summed as grey "Other".

    Args:
        by: :func:`whoop.metrics.load.workouts_by_activity` frame with periods (``freq`` "W" or
            "MS": ``period_start`` is the Monday or the 1st), whose ``value`` column
            (``workout_count``, ``duration_min``, ``energy_kj``, ...) is already in display
            units.
        value: the column to stack; label: its unit for the axis and hover ("hours", "kcal").
        top: how many activities get their own colour.
    Raises:
        KeyError: ``value`` is not a column of ``by``.
    """
    totals = by.groupby("sport_name")[value].sum().sort_values(ascending=False, kind="stable")
    keep = list(totals.index[:top])
    sport = by["sport_name"].where(by["sport_name"].isin(keep), "Other")
    g = by.assign(sport=sport).groupby(["period_start", "sport"], as_index=False)[value].sum()
    fig = go.Figure()
    for i, name in enumerate([*keep, "Other"]):
        part = g[g["sport"] == name]
        if part.empty:
            continue
        shown = escape.plotly(name)  # a sport name from WHOOP or a file: never plotly markup
        fig.add_bar(x=part["period_start"], y=part[value], name=shown,
                    marker_color=GREY if name == "Other" else
                    ACTIVITY_COLORS[i % len(ACTIVITY_COLORS)], marker_line_width=0,
                    hovertemplate=f"{shown}: %{{y:,.0f}} {label}<extra></extra>")
    return _layout(fig, yaxis=label, height=340, barmode="stack", hovermode="x unified")
