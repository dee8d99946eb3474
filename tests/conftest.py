"""Settings for the whole suite.

Runs stop at their first valid result here (``MLZERO_QUICK``, read by the configuration like any ``MLZERO_*``
variable, and inherited by the CLI, kernels and servers the tests start), so a test that is not about the search
does not spend its whole time budget. Tests of the search ask for it explicitly (``quick=False``).
"""

from __future__ import annotations

import os

os.environ.setdefault("MLZERO_QUICK", "true")
