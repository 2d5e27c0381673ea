"""`python -m services`: the whole product in one process (embedded mode), port 8000."""

import uvicorn

from services.embedded import create_app, local_token
from shared.observability import configure_logging
from shared.settings import PlatformSettings

platform = PlatformSettings()
configure_logging(platform.log_level)
app = create_app(platform)
port = platform.embedded_port
print(
    f"\nAR platform (embedded) on http://{platform.bind_host}:{port}/"
    "  - every service's docs are linked there.\n"
    "Bearer token for local use (12 h; one role, ar_coordinator; mint others as below):\n\n"
    f"  {local_token(app.state.tokens)}\n\n"
    "Mint one per person and role with: .venv/bin/python -m shared.auth --role ar_supervisor"
    " --subject someone\n",
    flush=True,
)
uvicorn.run(app, host=platform.bind_host, port=port, log_config=None)
