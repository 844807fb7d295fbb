"""`bp-sim calibrate`: history matching of the free parameters to the record, with Gaussian-process
emulators, then an emulator-based posterior and posterior-predictive runs (docs/calibration.md).

priors    which parameters are free and their prior ranges (data/calibration_parameters.csv)
config    the calibration file (experiments/calibration.toml), checked
emulator  one Gaussian-process emulator per target (scikit-learn), and implausibility
waves     the waves of runs, each a resumable sweep folder
posterior weights, resampled parameter sets, what the data pin down
report    figures and tables of a finished calibration
run       the command: waves, posterior, predictive runs, outputs
"""
