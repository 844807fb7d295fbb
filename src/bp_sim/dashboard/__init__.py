"""The workshop dashboard: a browser page (Solara, served offline) to try levers against the baseline.

`bp-sim dashboard [--port P]` starts it. The page is a view of a tab's state; the runs are
computed whole, in the background, and every view reads finished runs only. Modules, one job each:

- `state` (a tab's preset, lever moves in order, seed; kept in the tab's address), `results`
  (whole-horizon runs of a scenario and its baseline, paired by seed), `simulate` (one run, that
  can stop between weeks), `compute` (the server's one worker: replicate by replicate, cached,
  cancelled by a newer request), `shared` (network, presets, data values, the worker);
- `outcome_table` (totals, paired differences and intervals, verdicts, "too few simulated
  people"), `figures`, `bar_figures` and `map_figure` (ECharts options, drawn in the browser), `units` (numbers
  in words), `lever_info` and `lever_groups` (levers explained, by priority goal);
- `export` (scenario TOML with every move) and `page_png` (a one-page summary);
- `session`, `controls`, `views`, `app` (the Solara page) and `server` (offline settings, web server).

Only `session`, `controls`, `views`, `app` and `server` import Solara; the rest is plain Python
and tested without a browser.
"""
