"""One module per mechanism of the model (ODD 'submodels').

Each module holds the small Numba functions of one process: the per-agent rule the population
kernel calls, and where the mechanism has one, the weekly aggregate update (markets, queues,
attitudes, origin conditions). Modules read the state arrays and parameters and write state and
per-chunk counters. Shared helpers live in `common`; the only direct calls between mechanisms
are `channels` -> `origin.live_at_origin`, `movement` -> `borders.resolve_crossing`, and
`returns` -> `borders.send_home`.
"""
