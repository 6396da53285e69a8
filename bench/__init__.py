"""The project's benchmarks: ``python bench/run.py [--quick]`` runs them all (BENCHMARKS.md)."""
