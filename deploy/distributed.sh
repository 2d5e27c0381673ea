#!/usr/bin/env bash
# The distributed mode on one machine: PostgreSQL (a database per service), a single-node Kafka,
# and each service in its own process on its own port.
#   deploy/distributed.sh up     start everything, wait until every service is ready
#   deploy/distributed.sh down   stop everything
set -euo pipefail
cd "$(dirname "$0")/.."

PY=.venv/bin/python
RUN=var/run
SERVICES=(customers invoicing payments collections credit)
PORTS=(8001 8002 8003 8004 8005)

up() {
    mkdir -p "$RUN"
    $PY -m deploy.local_infra up --dir var/infra >/dev/null
    set -a; . var/infra/env; set +a
    export AR_BUS=kafka
    # One token secret for all five, kept under var/ like the embedded mode's.
    AR_AUTH_SECRET=${AR_AUTH_SECRET:-$($PY -c 'from shared.settings import PlatformSettings, embedded_secret; print(embedded_secret(PlatformSettings()))')}
    export AR_AUTH_SECRET
    for service in "${SERVICES[@]}"; do
        nohup $PY -m "services.$service" >"$RUN/$service.log" 2>&1 &
        echo $! >"$RUN/$service.pid"
    done
    $PY - "${PORTS[@]}" <<'PYEOF'
import sys, time, httpx
for port in sys.argv[1:]:
    deadline = time.monotonic() + 90
    while True:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=2).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline:
            sys.exit(f"the service on port {port} is not ready: see var/run/*.log")
        time.sleep(0.5)
PYEOF
    for i in "${!SERVICES[@]}"; do
        echo "${SERVICES[$i]}: http://127.0.0.1:${PORTS[$i]}/docs"
    done
    echo "logs in $RUN/; token: make token ROLE=ar_coordinator; stop with: make down"
}

down() {
    for service in "${SERVICES[@]}"; do
        if [[ -f "$RUN/$service.pid" ]]; then
            kill "$(cat "$RUN/$service.pid")" 2>/dev/null || true
            rm -f "$RUN/$service.pid"
        fi
    done
    $PY -m deploy.local_infra down --dir var/infra
}

case "${1:-}" in
    up) up ;;
    down) down ;;
    *) echo "usage: $0 up|down" >&2; exit 2 ;;
esac
