"""The MCP face: the server (`server.py`), its authentication for HTTP (`auth.py`) and the runs it keeps in
background threads (`manager.py`)."""
