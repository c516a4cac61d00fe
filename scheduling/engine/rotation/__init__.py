"""The annual rotation planner: resident x block -> rotation (pure Python, no Django).

``model`` holds the dataclasses, ``validator`` checks any plan on its own, ``precheck`` finds
conflicts by counting, ``formulation`` is the integer-linear model both solvers share,
``cpsat`` and ``mip`` solve it (``lp_bound`` gives CP-SAT a proven LP bound), ``scenarios``
builds the benchmark programs.
"""
