"""`python -m mlzero_jupyter.cli`: the `mlzero` command."""

import sys

from mlzero_jupyter.cli import main

sys.exit(main())
