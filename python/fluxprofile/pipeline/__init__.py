"""The array work behind `FluxProfileEstimator.run`: region geometry, reduction in the
compiled core, signal templates, energy groups and the norm fits."""
