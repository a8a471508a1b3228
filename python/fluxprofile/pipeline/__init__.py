"""The array work behind `FluxProfileEstimator.run`: region geometry, reduction in the
compiled core, signal templates, energy groups and the norm fits.

Modules: `geometry` (the estimator's cache of region geometry), `reduce` (per-region
reduction of a dataset), `onoff` (the on-off alpha rule), `signal` (the reference model
folded with exposure and energy dispersion), `energy_groups` (snapping and the group plan),
`fit` (the fit layout and the core fit).
"""
