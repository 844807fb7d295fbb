"""Mechanism 14: host-society attitudes and discrimination.

Each destination has an attitude index (0 hostile .. 1 welcoming) that relaxes towards its
baseline, is lowered by sudden arrivals relative to the migrant population already there
(narratives of crisis), and raised by campaigns and balanced narratives (PG6.4-PG6.8).
Discrimination in hiring falls as attitudes improve and where anti-discrimination law is
enforced (PG6.5).
"""

from __future__ import annotations

import numpy as np


def update_attitudes(p, attitude, campaign, anti_discrimination, arrivals_persons, stock_persons,
                     discrimination):
    """Advance attitudes one week and set discrimination; arrays per node, updated in place."""
    surge = arrivals_persons / np.maximum(stock_persons, 1.0)
    target = np.clip(p.attitude_baseline + p.campaign_attitude_effect * campaign, 0.0, 1.0)
    attitude += p.attitude_relax_weekly * (target - attitude) - p.attitude_arrival_effect * surge
    np.clip(attitude, 0.0, 1.0, out=attitude)
    discrimination[:] = p.discrimination_max * (1.0 - attitude) * (1.0 - anti_discrimination)
