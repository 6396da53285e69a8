"""Plotly figure builders: frame in, ``plotly.graph_objects.Figure`` out (no streamlit, no IO).

Importing the package registers the one plotly template, ``"whoop"``, as plotly's default
(:mod:`whoop.charts.theme`); figures never pass a template of their own.
"""

from whoop.charts import theme

theme.use_as_default()
