"""Documents made from runs: the readable report and figures of `bp-sim compare` (`compare`), the
lever evidence page docs/levers.md (`levers`) and the plausibility page docs/plausibility.md
(`plausibility`). Plain Python on top of the library; nothing in the library imports these
except `bp_sim.compare`, which writes its report with `reports.compare`."""
