"""Serve the dashboard with Solara, offline: every script, style and font from the installed packages.

Solara's page loads its Vue/Vuetify bundle, Font Awesome and RequireJS from a CDN path; the server
answers that path from a local cache (`solara.server.settings.assets.proxy_cache_dir`), which the
`solara-assets` package fills at install time. Telemetry (Mixpanel) is switched off. Settings are
read by Solara when it is first imported, so `serve` sets them before importing it.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from bp_sim import checks
from bp_sim.errors import InputError

APP = "bp_sim.dashboard.app"
# Files the page asks for at load; they must be in the local cache for the page to draw offline.
REQUIRED_ASSETS = (
    "@widgetti/solara-vuetify-app@10.1.1/dist/solara-vuetify-app8.min.js",
    "requirejs@2.3.6/require.js",
    "font-awesome@4.5.0/css/font-awesome.min.css",
    "echarts@5.4.0/dist/echarts.js",  # the charts and the map, drawn in the browser
)
OFFLINE_ENV = {
    "SOLARA_TELEMETRY_MIXPANEL_ENABLE": "false",  # no usage reports to api.mixpanel.com
    "SOLARA_ASSETS_PROXY": "true",  # CDN paths answered by this server from the local cache
    "SOLARA_THEME_SHOW_BANNER": "false",  # no "runs on Solara" box over the charts' corner
}
# A closed tab's session is dropped this long after its page went away (Solara's default keeps it
# a day). The tab's state is in its address, so a reload after that only recomputes (from cache).
SESSION_LINGER = "30s"


def asset_cache() -> Path:
    """Where the `solara-assets` package puts the CDN files (Solara's default cache folder)."""
    return Path(sys.prefix) / "share" / "solara" / "cdn"


def missing_assets(cache: Path | None = None) -> list[str]:
    cache = asset_cache() if cache is None else cache
    return [a for a in REQUIRED_ASSETS if not (cache / a).is_file()]


def configure(agents: int | None = None, seed: int | None = None, persons_per_mover: int | None = None,
              persons_per_agent_abroad: float | None = None) -> None:
    """Environment for an offline Solara server running the dashboard app (before Solara is imported)."""
    missing = missing_assets()
    if missing:
        raise InputError("dashboard assets", f"{missing[0]} not in {asset_cache()}",
                         "the files of the solara-assets package: pip install 'bp_sim[dashboard]'")
    os.environ.update(OFFLINE_ENV)
    os.environ.setdefault("SOLARA_KERNEL_CULL_TIMEOUT", SESSION_LINGER)  # a user's own setting wins
    os.environ["SOLARA_ASSETS_PROXY_CACHE_DIR"] = str(asset_cache())
    os.environ["SOLARA_APP"] = APP
    if agents is not None:
        os.environ["BP_SIM_DASHBOARD_AGENTS"] = str(agents)
    if seed is not None:
        os.environ["BP_SIM_DASHBOARD_SEED"] = str(seed)
    if persons_per_mover is not None:
        os.environ["BP_SIM_DASHBOARD_PERSONS_PER_MOVER"] = str(persons_per_mover)
    if persons_per_agent_abroad is not None:
        os.environ["BP_SIM_DASHBOARD_PERSONS_PER_AGENT_ABROAD"] = repr(float(persons_per_agent_abroad))


def warm_up() -> None:
    """Compile the engine's kernels (or load them from Numba's cache) before the first page is
    served: on a fresh checkout that takes a minute or so, which the first click would wait for."""
    from bp_sim.warmup import warm_up_engine

    warm_up_engine(stream=sys.stderr, who="bp-sim dashboard")
    prime_baseline()


def prime_baseline() -> None:
    """Run the baseline's first replicate into the worker's cache, so the first tab waits only
    for its own scenario."""
    from bp_sim.dashboard.compute import follow
    from bp_sim.dashboard.shared import computer, preset, server_defaults
    from bp_sim.dashboard.state import scenario_of

    state = server_defaults()
    base = scenario_of(preset("baseline"), state)
    job = computer().submit("server start", {"a": base}, base, agents=state.agents, seed=state.seed, replicates=1)
    follow(job, lambda j: None, lambda: False)


def check_address(host: str, port: int) -> None:
    """An InputError if the server could not listen on host:port: bind every address `host` names,
    as uvicorn will (asyncio's create_server: SO_REUSEADDR, IPv6 only on IPv6 sockets), then let go."""
    import errno
    import socket

    try:
        infos = socket.getaddrinfo(host or None, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except (OSError, UnicodeError) as exc:  # socket.gaierror: a name no resolver knows, 999.1.1.1
        raise InputError("--host", host, "an address or name of this computer: 127.0.0.1 (default), localhost, "
                         f"0.0.0.0 for every network ({getattr(exc, 'strerror', None) or exc})") from None
    for family, kind, proto, _, addr in dict.fromkeys(infos):
        with socket.socket(family, kind, proto) as sock:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            if family == socket.AF_INET6:
                sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
            try:
                sock.bind(addr)
            except OSError as exc:
                if exc.errno == errno.EADDRINUSE:
                    raise InputError("--port", port, f"a port that no other program uses on {host} "
                                     "(stop the other program, or choose another --port)") from None
                if exc.errno == errno.EACCES:
                    raise InputError("--port", port, "a port this user may listen on (ports below 1024 need "
                                     "administrator rights)") from None
                if exc.errno == errno.EADDRNOTAVAIL:
                    raise InputError("--host", host, "an address of this computer: 127.0.0.1 (default), "
                                     "0.0.0.0 for every network, or one of its own network addresses") from None
                raise InputError("--host", f"{host} port {port}",
                                 f"an address and port this computer can listen on ({exc.strerror or exc})") from None


def serve(port: int = 8765, host: str = "127.0.0.1", agents: int | None = None, seed: int | None = None,
          persons_per_mover: int | None = None, persons_per_agent_abroad: float | None = None) -> None:
    """Run the dashboard web server until interrupted (Ctrl-C). `persons_per_mover` and
    `persons_per_agent_abroad`: the resolutions of every run (coarser: quicker answers)."""
    checks.whole("--port", port, 1, 65535, "a port number")
    if agents is not None:
        checks.whole("--agents", agents, 100)
    if agents is not None or persons_per_mover is not None or persons_per_agent_abroad is not None:
        from bp_sim.dashboard.shared import DASHBOARD_AGENTS
        from bp_sim.network import load_network
        from bp_sim.scenario import load_scenario
        from bp_sim.validate import check_runnable, set_resolutions

        net = load_network()
        sc = load_scenario("baseline", net)
        set_resolutions(sc, persons_per_mover, persons_per_agent_abroad)
        # The page runs a scenario and its baseline side by side.
        check_runnable(sc, net, agents if agents is not None else DASHBOARD_AGENTS, processes=2)
    check_address(host, port)  # a busy port or a bad host stops here, before the engine loads
    configure(agents, seed, persons_per_mover, persons_per_agent_abroad)
    warm_up()
    import warnings

    import uvicorn

    # Solara warns on every page served from a host other than "localhost" (127.0.0.1 included) that
    # it cannot set a cookie usable inside another site's iframe; the dashboard is not embedded, and a
    # workshop's console full of it looks like errors. Its fallback (SameSite=Lax) is what we want.
    warnings.filterwarnings("ignore", message="Cookies with samesite=none require https", category=UserWarning)
    os.environ["SERVER_NAME"] = host
    os.environ["SERVER_PORT"] = str(port)
    sys.stderr.write(f"bp-sim dashboard: http://{host}:{port}/  (Ctrl-C stops it)\n")
    uvicorn.run("solara.server.starlette:app", host=host, port=port, log_level="warning")
