"""Sub-commands of the `mlzero` CLI, one module each (see `mlzero_jupyter.cli`)."""
