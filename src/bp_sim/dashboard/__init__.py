"""The workshop dashboard: a browser page (Solara, served offline) to try levers against the baseline.

`bp-sim dashboard [--port P]` starts it. Modules, one job each: `paired` (the chosen scenario and
the baseline stepped together with one seed), `lever_groups` (levers by priority goal, with the
actions they stand for), `charts`, `network_map` and `summary` (what the page shows, as PNG bytes
and sentences), `export` (charts PNG and scenario TOML), `panels` and `app` (the Solara page),
`server` (offline settings and the web server).

Only `app`, `panels` and `server` import Solara; the rest is plain Python and tested without a browser.
"""
