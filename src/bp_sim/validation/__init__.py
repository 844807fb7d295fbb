"""`bp-sim validate`: the posterior predictive against the figures of 2024 that were never fitted,
the stylized facts as paired experiments, and the hand-tuned baseline beside the calibrated model.

    config.py     the validation file (experiments/validation.toml), every key checked
    intervals.py  quantiles, coverage and within-x% shares of a set of runs against figures
    hindcast.py   the runs through 2024: hand-tuned replicates and posterior sets (set r, seed + r)
    facts.py      the stylized facts: paired replicates through `bp_sim.compare`, a verdict each
    report.py     validation.md, the CSVs and the figures
    run.py        `validate`: all of it, written atomically
"""
