"""Hand-written baselines that compute the AF practice counts without the measures engine.

Why: the `run af` speed target (issue 3) is stated against two yardsticks: one hand-written DuckDB
SQL query (the practical floor) and a straightforward pandas implementation (what an analyst
would write). Each reads the same packaged codelists and prevalence table as the engine and
implements the rules as docs/programmes.md states them, so the benchmark compares like with like;
tests/integration/test_af_baselines_agree.py holds them to the engine's exact numbers.
"""
