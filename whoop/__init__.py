"""WHOOP analytics: import, sync, store and explain a WHOOP history locally.

The package never imports streamlit except in :mod:`whoop.ui`.
"""

__version__ = "0.1.0"
