"""Map of the Silk Routes network: places at their coordinates, legs as wide as this week's flow.

Legs are coloured by the risk of death on them or by the chance of interception (enforcement)
in force this week, so a lever on enforcement or rescue shows on the map at once.
"""

from __future__ import annotations

import io

import numpy as np
from matplotlib import colormaps
from matplotlib.collections import LineCollection
from matplotlib.colors import Normalize
from matplotlib.figure import Figure

from bp_sim.model import SilkRoutesModel
from bp_sim.tally import E_CROSSINGS

COLOUR_BY = {"risk": ("edge_death", "death risk per crossing", "Reds"),
             "enforcement": ("edge_intercept", "interception chance per crossing", "Blues")}
FLOW_WEEKS = 4  # width: mean crossings over the last 4 weeks (one week rests on few agents)


def recent_flows(model: SilkRoutesModel, weeks: int = FLOW_WEEKS) -> np.ndarray:
    """Persons crossing each leg per week, averaged over the last `weeks` weeks (zeros before week 1)."""
    rec = model.recorder
    done = rec.steps_done
    if done == 0:
        return np.zeros(model.net.n_edges)
    window = rec.edges[max(0, done - weeks): done, :, E_CROSSINGS]
    return window.mean(axis=0) * model.persons_per_agent


def map_png(model: SilkRoutesModel, colour_by: str = "risk") -> bytes:
    """PNG of the network map for the model's current week."""
    field, label, cmap_name = COLOUR_BY[colour_by]
    nodes, routes = model.net.nodes, model.net.routes
    lon, lat = nodes.lon.to_numpy(), nodes.lat.to_numpy()
    src, dst = routes.src_i.to_numpy(), routes.dst_i.to_numpy()
    flows = recent_flows(model)
    colour_values = np.asarray(getattr(model.world, field), dtype=float)
    peak = max(float(flows.max()), 1.0)

    fig = Figure(figsize=(8, 5.2), dpi=72)
    fig.subplots_adjust(left=0.08, right=1.0, bottom=0.09, top=0.94)
    ax = fig.subplots()
    segments = np.stack([np.column_stack([lon[src], lat[src]]), np.column_stack([lon[dst], lat[dst]])], axis=1)
    top = max(float(colour_values.max()), 1e-6)
    norm = Normalize(vmin=-0.25 * top, vmax=top)  # legs at zero stay visible (light), not white
    lines = LineCollection(segments, cmap=colormaps[cmap_name], norm=norm, linewidths=0.6 + 9.0 * flows / peak,
                           alpha=0.85, zorder=2)
    lines.set_array(colour_values)
    ax.add_collection(lines)
    ax.scatter(lon, lat, s=14, color="black", zorder=3)
    for r in nodes.itertuples(index=False):
        ax.annotate(r.node_id, (r.lon, r.lat), fontsize=6, xytext=(2, 2), textcoords="offset points")
    bar = fig.colorbar(lines, ax=ax, label=label, shrink=0.8)
    bar.ax.set_ylim(0.0, top)
    ax.set_xlabel("longitude")
    ax.set_ylabel("latitude")
    ax.set_title(f"Week {model.week} ({model.date}): width = persons crossing per week "
                 f"(max {peak:,.0f}), colour = {colour_by}", fontsize=9)
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    return buf.getvalue()
