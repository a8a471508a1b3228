"""The Gammapy-compatible data model: axes, geometries, maps, datasets, spectral models and
flux points. No file formats (see `fluxprofile.io`), no plots, no gammapy."""
