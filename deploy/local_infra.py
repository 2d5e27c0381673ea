"""Real, throwaway PostgreSQL and Kafka servers on loopback, without docker.

Used by the test fixtures (tests/fixtures/infra.py) and by the local distributed mode:

    python -m deploy.local_infra up --dir var/infra     # start both, write var/infra/env
    python -m deploy.local_infra down --dir var/infra   # stop both

PostgreSQL comes from Debian's server binaries; the Kafka broker (single node, KRaft)
from jars that deploy/kafka/fetch-jars.sh gathers from Maven Central.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import concurrent.futures
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Coroutine, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import asyncpg
from aiokafka import AIOKafkaClient
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import KafkaError, TopicAlreadyExistsError, for_code

REPO_ROOT = Path(__file__).resolve().parent.parent
FETCH_JARS = REPO_ROOT / "deploy" / "kafka" / "fetch-jars.sh"
DEFAULT_JARS_DIR = REPO_ROOT / ".cache" / "kafka" / "lib"

KAFKA_READY_TIMEOUT = 60.0
STOP_TIMEOUT = 30.0

SERVICES = ("customers", "invoicing", "payments", "collections", "credit")
DEFAULT_POSTGRES_PORT = 55432
DEFAULT_KAFKA_PORT = 59092

T = TypeVar("T")


class InfraUnavailable(RuntimeError):
    """A local server could not be started; the message says what to install or what broke."""


# --------------------------------------------------------------------------- helpers


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _log_tail(path: Path, lines: int = 30) -> str:
    """The log's last lines, preceded by its first error lines when those scrolled out of
    the tail (a failed broker logs a long shutdown after the error that matters)."""
    try:
        all_lines = path.read_text(errors="replace").splitlines()
    except OSError:
        return f"(no log at {path})"
    tail = all_lines[-lines:]
    markers = (" ERROR ", "FATAL", "Caused by:", "Exception in thread")
    errors = [line for line in all_lines if any(m in line for m in markers)][:12]
    text = ""
    if errors and not set(errors) <= set(tail):
        text += f"--- first error lines of {path} ---\n" + "\n".join(errors) + "\n"
    return text + f"--- last {len(tail)} lines of {path} ---\n" + "\n".join(tail)


def _run_sync(coro: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine from sync code, even when the calling thread already runs an
    event loop (an async test calling a sync helper): a fresh loop in a worker thread."""
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coro).result()


def _is_root() -> bool:
    return os.geteuid() == 0


def _as_postgres(cmd: list[str]) -> list[str]:
    # initdb and postgres refuse to run as root.
    return ["runuser", "-u", "postgres", "--", *cmd] if _is_root() else cmd


def _process_alive(pid: int, cmdline_marker: str) -> bool:
    """True if `pid` runs and its command line contains the marker (guards against a
    recycled pid belonging to some unrelated process)."""
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ")
    except OSError:
        return False
    return cmdline_marker.encode() in cmdline


def _stop_pid(pid: int, cmdline_marker: str, sig: signal.Signals) -> None:
    """Stop a process that is not our child (started by an earlier `up`)."""
    if not _process_alive(pid, cmdline_marker):
        return
    os.kill(pid, sig)
    deadline = time.monotonic() + STOP_TIMEOUT
    while time.monotonic() < deadline:
        if not _process_alive(pid, cmdline_marker):
            return
        time.sleep(0.2)
    os.kill(pid, signal.SIGKILL)


# --------------------------------------------------------------------------- PostgreSQL


def _postgres_bin_dir() -> Path:
    candidates = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/initdb"),
        key=lambda p: int(p.parent.parent.name) if p.parent.parent.name.isdigit() else 0,
    )
    if candidates:
        return candidates[-1].parent
    if initdb := shutil.which("initdb"):
        return Path(initdb).parent
    raise InfraUnavailable(
        "PostgreSQL server binaries (initdb, pg_ctl) not found in /usr/lib/postgresql/*/bin "
        "or on PATH: install the Debian package `postgresql` (apt-get install postgresql)."
    )


def _postgres_can_reach(path: Path) -> bool:
    result = subprocess.run(
        ["runuser", "-u", "postgres", "--", "test", "-x", str(path)], capture_output=True
    )
    return result.returncode == 0


@dataclass
class PostgresServer:
    data_dir: Path
    port: int
    startup_seconds: float
    bin_dir: Path
    host: str = "127.0.0.1"
    user: str = "postgres"
    # Set when the data dir is a temp dir of our own that stop() should delete.
    _remove_data_dir: bool = field(default=False, repr=False)

    @property
    def pid(self) -> int:
        return int((self.data_dir / "postmaster.pid").read_text().split()[0])

    def url(self, database: str) -> str:
        return f"postgresql+asyncpg://{self.user}@{self.host}:{self.port}/{database}"

    def create_database(self, name: str) -> None:
        """Create `name` unless it already exists."""
        _run_sync(self._create_database(name))

    async def _create_database(self, name: str) -> None:
        conn = await asyncpg.connect(
            host=self.host, port=self.port, user=self.user, database="postgres"
        )
        try:
            exists = await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name)
            if not exists:
                # CREATE DATABASE takes no bind parameters: quote the name server-side.
                ident = await conn.fetchval("SELECT quote_ident($1)", name)
                await conn.execute(f"CREATE DATABASE {ident}")
        finally:
            await conn.close()

    def stop(self) -> None:
        subprocess.run(
            _as_postgres(
                [str(self.bin_dir / "pg_ctl"), "-D", str(self.data_dir), "-m", "fast", "-w", "stop"]
            ),
            capture_output=True,
        )
        if self._remove_data_dir:
            shutil.rmtree(self.data_dir, ignore_errors=True)


def start_postgres(base_dir: Path, port: int | None = None) -> PostgresServer:
    """Start PostgreSQL with its data in `base_dir/postgres` (created by initdb on first use,
    reused after), trust auth, listening on 127.0.0.1 only."""
    started = time.monotonic()
    bin_dir = _postgres_bin_dir()
    port = port or _free_port()
    base_dir.mkdir(parents=True, exist_ok=True)

    data_dir = base_dir / "postgres"
    remove_data_dir = False
    if _is_root() and not _postgres_can_reach(base_dir):
        # The postgres user cannot enter a root-only dir such as pytest's tmp dir (0700),
        # so the cluster gets a postgres-owned temp dir of its own, deleted by stop().
        data_dir = Path(tempfile.mkdtemp(prefix="ar-postgres-"))
        remove_data_dir = True
    data_dir.mkdir(mode=0o700, exist_ok=True)
    if _is_root():
        shutil.chown(data_dir, "postgres", "postgres")
    log = data_dir / "log"

    def run(cmd: list[str], what: str) -> None:
        result = subprocess.run(_as_postgres(cmd), capture_output=True, text=True)
        if result.returncode != 0:
            message = f"{result.stdout}{result.stderr}\n{_log_tail(log)}"
            if remove_data_dir:
                shutil.rmtree(data_dir, ignore_errors=True)
            raise InfraUnavailable(
                f"PostgreSQL {what} failed (exit {result.returncode}):\n{message}"
            )

    if not (data_dir / "PG_VERSION").exists():
        run(
            [
                str(bin_dir / "initdb"),
                "-D",
                str(data_dir),
                "-U",
                "postgres",
                "-A",
                "trust",
                "-E",
                "UTF8",
                "--no-sync",
            ],
            "initdb",
        )
    # -F: no fsync, this data is throwaway. -k: socket in the data dir, not /var/run.
    options = f"-F -p {port} -k {data_dir} -c listen_addresses=127.0.0.1"
    run(
        [
            str(bin_dir / "pg_ctl"),
            "-D",
            str(data_dir),
            "-w",
            "-t",
            "60",
            "-l",
            str(log),
            "-o",
            options,
            "start",
        ],
        "start",
    )
    return PostgresServer(
        data_dir=data_dir,
        port=port,
        startup_seconds=time.monotonic() - started,
        bin_dir=bin_dir,
        _remove_data_dir=remove_data_dir,
    )


# --------------------------------------------------------------------------- Kafka


def _kafka_properties(data_dir: Path, port: int, controller_port: int) -> str:
    settings = {
        # Single node acting as broker and as its own KRaft controller.
        "process.roles": "broker,controller",
        "node.id": "1",
        "controller.quorum.voters": f"1@127.0.0.1:{controller_port}",
        "listeners": f"PLAINTEXT://127.0.0.1:{port},CONTROLLER://127.0.0.1:{controller_port}",
        "advertised.listeners": f"PLAINTEXT://127.0.0.1:{port}",
        "controller.listener.names": "CONTROLLER",
        "inter.broker.listener.name": "PLAINTEXT",
        "listener.security.protocol.map": "CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT",
        "log.dirs": str(data_dir),
        "num.partitions": "3",
        # Internal topics default to 3 replicas and 50 partitions; one node has one
        # replica, and fewer partitions make the first group join / transaction quick.
        "offsets.topic.replication.factor": "1",
        "offsets.topic.num.partitions": "3",
        "transaction.state.log.replication.factor": "1",
        "transaction.state.log.min.isr": "1",
        "transaction.state.log.num.partitions": "3",
        "share.coordinator.state.topic.replication.factor": "1",
        "share.coordinator.state.topic.min.isr": "1",
        # Tests join groups one consumer at a time: don't wait for more members.
        "group.initial.rebalance.delay.ms": "0",
        # Tests may move the clock years away (AR_TEST_NOW): accept records stamped at any time
        # and keep them, whatever the broker's own clock says.
        "log.message.timestamp.before.max.ms": str(2**63 - 1),
        "log.message.timestamp.after.max.ms": str(2**63 - 1),
        "log.retention.ms": "-1",
    }
    return "".join(f"{key}={value}\n" for key, value in settings.items())


def _java_command(jars_dir: Path, main_class: str, *args: str) -> list[str]:
    return [
        "java",
        "-Xms256m",
        "-Xmx512m",
        "-XX:+UseG1GC",
        "-Dorg.slf4j.simpleLogger.showDateTime=true",
        "-cp",
        f"{jars_dir}/*",
        main_class,
        *args,
    ]


def _fetch_jars(jars_dir: Path) -> None:
    """Run fetch-jars.sh, a no-op once its stamp says the jars match pom.xml."""
    result = subprocess.run(
        ["bash", str(FETCH_JARS), str(jars_dir)], capture_output=True, text=True
    )
    if result.returncode != 0:
        raise InfraUnavailable(
            f"Could not fetch the Kafka broker jars into {jars_dir} (needs java 17+ and "
            f"maven: apt-get install default-jre-headless maven):\n{result.stdout}{result.stderr}"
        )


def _port_open(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


async def _wait_until_ready(port: int, proc: subprocess.Popen[bytes]) -> None:
    """Poll like aiokafka's own tests: bootstrap until the cluster lists a broker."""
    bootstrap_servers = f"127.0.0.1:{port}"
    deadline = time.monotonic() + KAFKA_READY_TIMEOUT
    while time.monotonic() < deadline and proc.poll() is None:
        # A plain connect first: aiokafka logs an error for every refused connection.
        if not _port_open(port):
            await asyncio.sleep(0.25)
            continue
        client = AIOKafkaClient(bootstrap_servers=bootstrap_servers, request_timeout_ms=5000)
        try:
            await client.bootstrap()
            if client.cluster.brokers():
                return
        except KafkaError:
            pass
        finally:
            await client.close()
        await asyncio.sleep(0.25)
    raise TimeoutError


@dataclass
class KafkaBroker:
    bootstrap_servers: str
    data_dir: Path
    log_file: Path
    startup_seconds: float
    _proc: subprocess.Popen[bytes] = field(repr=False)
    jars_dir: Path = DEFAULT_JARS_DIR

    @property
    def pid(self) -> int:
        return self._proc.pid

    def rss_bytes(self) -> int:
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
        return 0

    def create_topics(self, names: Iterable[str], partitions: int = 3) -> None:
        """Create topics (replication factor 1); existing ones are left as they are."""
        _run_sync(self._create_topics(list(names), partitions))

    async def _create_topics(self, names: list[str], partitions: int) -> None:
        admin = AIOKafkaAdminClient(bootstrap_servers=self.bootstrap_servers)
        await admin.start()
        try:
            response = await admin.create_topics([NewTopic(n, partitions, 1) for n in names])
        finally:
            await admin.close()
        # aiokafka reports per-topic failures as error codes instead of raising.
        for topic, error_code, *_ in response.topic_errors:
            error = for_code(error_code)
            if error_code and error is not TopicAlreadyExistsError:
                raise error(f"creating topic {topic!r}")

    def kill(self) -> None:
        """kill -9: the broker dies as in a crash, without flushing or leaving its groups."""
        self._proc.kill()
        self._proc.wait()

    @property
    def running(self) -> bool:
        return self._proc.poll() is None

    def restart(self) -> None:
        """Start the broker again on its data dir and ports (its properties file is kept)."""
        if self._proc.poll() is None:
            raise RuntimeError("the broker still runs: kill() or stop() it first")
        started = time.monotonic()
        self._proc = _launch_kafka(
            self.jars_dir, self.data_dir.parent / "server.properties", self.log_file
        )
        try:
            _run_sync(_wait_until_ready(self.port, self._proc))
        except TimeoutError:
            raise InfraUnavailable(
                f"Kafka broker did not come back.\n{_log_tail(self.log_file)}"
            ) from None
        self.startup_seconds = time.monotonic() - started

    @property
    def port(self) -> int:
        return int(self.bootstrap_servers.rsplit(":", 1)[1])

    def stop(self) -> None:
        """Controlled shutdown (SIGTERM); SIGKILL if it takes longer than STOP_TIMEOUT."""
        self._proc.terminate()
        try:
            self._proc.wait(STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            self._proc.kill()
            self._proc.wait()


def new_cluster_id() -> str:
    """A KRaft cluster id as `kafka-storage random-uuid` makes one, without paying for another
    JVM start: a random UUID in URL-safe base64, drawn again when it starts with a dash (as
    Kafka's own Uuid.randomUuid does), which the storage tool would read as an option."""
    while True:
        cluster_id = base64.urlsafe_b64encode(uuid.uuid4().bytes).rstrip(b"=").decode()
        if not cluster_id.startswith("-"):
            return cluster_id


def _launch_kafka(jars_dir: Path, properties: Path, log_file: Path) -> subprocess.Popen[bytes]:
    with log_file.open("ab") as log:
        # Output goes to a file, never an undrained pipe that would block the broker.
        # A new session, so the broker outlives `up` and ignores the terminal's Ctrl-C.
        return subprocess.Popen(
            _java_command(jars_dir, "kafka.Kafka", str(properties)),
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def start_kafka(
    base_dir: Path, jars_dir: Path | None = None, port: int | None = None
) -> KafkaBroker:
    """Start a single-node KRaft broker with its data in `base_dir/kafka` (formatted on first
    use, reused after) and wait until it serves metadata. The controller listens on
    `port + 1` when `port` is given (stable across restarts), else on a free port."""
    jars_dir = jars_dir or DEFAULT_JARS_DIR
    if shutil.which("java") is None:
        raise InfraUnavailable(
            "`java` not found: install Java 17+ (apt-get install default-jre-headless)."
        )
    _fetch_jars(jars_dir)

    # startup_seconds leaves out the one-time jar download.
    started = time.monotonic()
    controller_port = port + 1 if port else _free_port()
    port = port or _free_port()
    kafka_dir = base_dir / "kafka"
    kafka_dir.mkdir(parents=True, exist_ok=True)
    properties = kafka_dir / "server.properties"
    properties.write_text(_kafka_properties(kafka_dir / "data", port, controller_port))
    log_file = kafka_dir / "server.log"

    with log_file.open("ab") as log:
        # A data dir kept from an earlier run (`up` after `down`) is reused as it is.
        if not (kafka_dir / "data" / "meta.properties").exists():
            cluster_id = new_cluster_id()
            formatted = subprocess.run(
                _java_command(
                    jars_dir,
                    "kafka.tools.StorageTool",
                    "format",
                    "-t",
                    cluster_id,
                    "-c",
                    str(properties),
                ),
                stdout=log,
                stderr=subprocess.STDOUT,
            )
            if formatted.returncode != 0:
                raise InfraUnavailable(
                    f"Formatting Kafka storage failed (exit {formatted.returncode}; "
                    f"Kafka 4 needs Java 17+).\n{_log_tail(log_file)}"
                )
    proc = _launch_kafka(jars_dir, properties, log_file)

    broker = KafkaBroker(
        bootstrap_servers=f"127.0.0.1:{port}",
        data_dir=kafka_dir / "data",
        log_file=log_file,
        startup_seconds=0.0,  # set once ready
        _proc=proc,
        jars_dir=jars_dir,
    )
    try:
        _run_sync(_wait_until_ready(port, proc))
    except TimeoutError:
        exit_code = proc.poll()
        broker.stop()
        state = (
            f"exited with code {exit_code}"
            if exit_code is not None
            else f"not ready within {KAFKA_READY_TIMEOUT:.0f} s"
        )
        raise InfraUnavailable(
            f"Kafka broker {state} (Kafka 4 needs Java 17+).\n{_log_tail(log_file)}"
        ) from None
    broker.startup_seconds = time.monotonic() - started
    return broker


# --------------------------------------------------------------------------- CLI


def _up(infra_dir: Path, postgres_port: int, kafka_port: int) -> None:
    pid_files = [infra_dir / "postgres.pid", infra_dir / "kafka.pid"]
    if any(p.exists() for p in pid_files):
        sys.exit(f"{infra_dir} has pid files: already up? Run `down --dir {infra_dir}` first.")

    postgres = start_postgres(infra_dir, postgres_port)
    try:
        for name in SERVICES:
            postgres.create_database(name)
        kafka = start_kafka(infra_dir, port=kafka_port)
    except BaseException:
        postgres.stop()
        raise
    (infra_dir / "postgres.pid").write_text(f"{postgres.pid}\n")
    (infra_dir / "kafka.pid").write_text(f"{kafka.pid}\n")

    env_lines = [f"AR_KAFKA_BOOTSTRAP_SERVERS={kafka.bootstrap_servers}"] + [
        f"AR_{name.upper()}_DATABASE_URL={postgres.url(name)}" for name in SERVICES
    ]
    (infra_dir / "env").write_text("".join(line + "\n" for line in env_lines))
    print("\n".join(env_lines))
    print(
        f"# PostgreSQL up in {postgres.startup_seconds:.1f} s, Kafka in "
        f"{kafka.startup_seconds:.1f} s; written to {infra_dir / 'env'}",
        file=sys.stderr,
    )


def _down(infra_dir: Path) -> None:
    # SIGINT is PostgreSQL's "fast" shutdown; SIGTERM is Kafka's controlled shutdown.
    for name, marker, sig in [
        ("kafka", "kafka.Kafka", signal.SIGTERM),
        ("postgres", "postgres", signal.SIGINT),
    ]:
        pid_file = infra_dir / f"{name}.pid"
        if pid_file.exists():
            _stop_pid(int(pid_file.read_text()), marker, sig)
            pid_file.unlink()
            print(f"stopped {name}", file=sys.stderr)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m deploy.local_infra",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = parser.add_subparsers(dest="command", required=True)
    up = commands.add_parser("up", help="start PostgreSQL and Kafka in the background")
    up.add_argument("--dir", type=Path, default=Path("var/infra"))
    up.add_argument("--postgres-port", type=int, default=DEFAULT_POSTGRES_PORT)
    up.add_argument("--kafka-port", type=int, default=DEFAULT_KAFKA_PORT)
    down = commands.add_parser("down", help="stop what `up` started")
    down.add_argument("--dir", type=Path, default=Path("var/infra"))
    args = parser.parse_args(argv)

    infra_dir = args.dir.resolve()
    try:
        if args.command == "up":
            _up(infra_dir, args.postgres_port, args.kafka_port)
        else:
            _down(infra_dir)
    except InfraUnavailable as exc:
        sys.exit(str(exc))


if __name__ == "__main__":
    main()
