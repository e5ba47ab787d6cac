"""The reproduction machinery: profiles, the notebook pipeline, the claims ledger, staged publishing,
the Jupyter kernel, the reading edition, the workshop kit and the GPU run. Science code never imports it."""
