"""Plotly figure builders: frame in, ``plotly.graph_objects.Figure`` out (no streamlit, no IO)."""
