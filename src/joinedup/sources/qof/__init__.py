"""Published QOF aggregates: prevalence, achievement, indicator mappings and list sizes.

Why a package: each published file has its own module (``prevalence``, ``achievement``,
``indicators``, ``lists``), all built on ``readers`` so every row is loaded or rejected with a
reason; ``age_structure`` and ``counts`` turn an imported store into the practice measure table;
``demo`` runs the real West Yorkshire 2019-20 example from the files in ``data/``.
See docs/aggregates.md.
"""
