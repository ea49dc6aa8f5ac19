"""The admin event stream: one publish call for producers (`bus.py`), a relay per admin
process (`hub.py`) and the WebSocket that carries it (`router.py`)."""
