"""One module per mechanism of the model (ODD 'submodels').

Each module holds the small Numba functions of one process: the per-agent rule the population
kernel calls, and where the mechanism has one, the weekly aggregate update (markets, queues,
attitudes, origin conditions, diasporas). Modules read the state arrays and parameters and write state and
per-chunk counters. Shared helpers live in `common` (derived attributes such as recognised skill,
income factor and information level; money; destination choice) and `transitions` (the
life-cycle changes more than one rule makes: sent home, settled with a status, set out); the only
direct calls between mechanisms are `channels` -> `origin.live_at_origin` and `movement` ->
`borders.resolve_crossing`.
"""
