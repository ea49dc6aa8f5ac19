"""What deploy/run.py starts, read from the environment, and the nginx config for it.

`CROWDSKETCH_*` are the services' settings, with defaults for the local services of a
development machine; `CROWDSKETCH_DEPLOY_*` describe the topology (README.md,
"Distributed deployment").
"""

from __future__ import annotations

import os
import re
import socket
from dataclasses import dataclass, field
from pathlib import Path

DEPLOY_DIR = Path(__file__).resolve().parent
TEMPLATE = DEPLOY_DIR / "nginx.conf.template"

# The local services of a development machine.
SERVICE_DEFAULTS = {
    "CROWDSKETCH_DATABASE_URL": "postgresql+asyncpg://postgres@127.0.0.1:5432/crowdsketch",
    "CROWDSKETCH_REDIS_URL": "redis://127.0.0.1:6379/0",
    "CROWDSKETCH_AMQP_URL": "amqp://guest:guest@127.0.0.1:5672/",
    "CROWDSKETCH_BLOB_URL": "s3://crowdsketch",
}
MOTO_CREDENTIALS = {"AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test", "AWS_REGION": "us-east-1"}
STARTED_MOTO = "CROWDSKETCH_DEPLOY_STARTED_MOTO"
# The services listen here only: nginx is the way in.
SERVICE_HOST = "127.0.0.1"


class PlanError(Exception):
    """A setting that cannot work; the message says which and why."""


def _ports(env: dict[str, str], name: str, default: str) -> list[int]:
    raw = env.get(name, default)
    try:
        ports = [int(part) for part in raw.split(",") if part.strip()]
    except ValueError:
        raise PlanError(f"{name}={raw!r}: a comma-separated list of ports") from None
    if not ports or any(not 0 < port < 65536 for port in ports):
        raise PlanError(f"{name}={raw!r}: a comma-separated list of ports (1-65535)")
    return ports


@dataclass
class Plan:
    listen_host: str
    listen_port: int
    services: dict[str, list[int]]  # role -> ports, one process each
    workers: int
    bootstrap: bool
    run_dir: Path
    moto_port: int | None  # a development S3 server on this port; None: the endpoint is set
    nginx: str
    env: dict[str, str] = field(default_factory=dict)  # the children's environment
    body_limits: tuple[int, int] = (1024 * 1024, 256 * 1024 * 1024)  # request, import: the app's

    @classmethod
    def from_env(cls, environ: dict[str, str]) -> Plan:
        env = {name: value for name, value in environ.items() if name != STARTED_MOTO}
        for name, value in SERVICE_DEFAULTS.items():
            env.setdefault(name, value)
        if not env["CROWDSKETCH_DATABASE_URL"].startswith("postgresql+asyncpg://"):
            raise PlanError("CROWDSKETCH_DATABASE_URL: the distributed topology needs PostgreSQL (postgresql+asyncpg://...)")
        if not env["CROWDSKETCH_BLOB_URL"].startswith("s3://"):
            raise PlanError("CROWDSKETCH_BLOB_URL: the distributed topology needs the S3 API (s3://BUCKET)")
        for name in ("CROWDSKETCH_REDIS_URL", "CROWDSKETCH_AMQP_URL"):
            if not env[name]:
                raise PlanError(f"{name} is empty: every process must share Redis and RabbitMQ")

        moto_port = None
        if not (env.get("AWS_ENDPOINT_URL") or env.get("CROWDSKETCH_AWS_ENDPOINT_URL")):
            moto_port = _ports(env, "CROWDSKETCH_DEPLOY_MOTO_PORT", "9000")[0]
            env["AWS_ENDPOINT_URL"] = f"http://127.0.0.1:{moto_port}"
            env[STARTED_MOTO] = "1"  # tells `prepare` that the S3 store is new and in memory
            for name, value in MOTO_CREDENTIALS.items():
                env.setdefault(name, value)

        workers_raw = env.get("CROWDSKETCH_DEPLOY_WORKERS", "2")
        if not workers_raw.isdigit():
            raise PlanError(f"CROWDSKETCH_DEPLOY_WORKERS={workers_raw!r}: a number of workers (0 or more)")
        run_dir = Path(env.get("CROWDSKETCH_DEPLOY_RUN_DIR") or Path(env.get("CROWDSKETCH_DATA_DIR", "data")) / "distributed")
        plan = cls(
            listen_host=env.get("CROWDSKETCH_DEPLOY_HOST", "127.0.0.1"),
            listen_port=_ports(env, "CROWDSKETCH_DEPLOY_PORT", "8080")[0],
            services={
                "collection": _ports(env, "CROWDSKETCH_DEPLOY_COLLECTION_PORTS", "3001"),
                "admin": _ports(env, "CROWDSKETCH_DEPLOY_ADMIN_PORTS", "3002"),
                "inference": _ports(env, "CROWDSKETCH_DEPLOY_INFERENCE_PORTS", "3003"),
            },
            workers=int(workers_raw),
            bootstrap=env.get("CROWDSKETCH_DEPLOY_BOOTSTRAP", "1").lower() not in ("0", "false", "no", "off"),
            run_dir=run_dir.expanduser().resolve(),
            moto_port=moto_port,
            nginx=_find_nginx(env),
            env=env,
            body_limits=_body_limits(),
        )
        ports = [plan.listen_port, *(p for ps in plan.services.values() for p in ps)]
        if moto_port is not None:
            ports.append(moto_port)
        if len(set(ports)) != len(ports):
            raise PlanError(f"a port is listed twice: {sorted(ports)}")
        return plan

    def all_ports(self) -> list[tuple[str, int]]:
        named = [("nginx (CROWDSKETCH_DEPLOY_PORT)", self.listen_port)]
        for role, ports in self.services.items():
            named += [(f"{role} (CROWDSKETCH_DEPLOY_{role.upper()}_PORTS)", port) for port in ports]
        if self.moto_port is not None:
            named.append(("moto (CROWDSKETCH_DEPLOY_MOTO_PORT)", self.moto_port))
        return named


def _find_nginx(env: dict[str, str]) -> str:
    explicit = env.get("CROWDSKETCH_DEPLOY_NGINX")
    if explicit:
        return explicit
    for folder in [*env.get("PATH", "").split(os.pathsep), "/usr/sbin", "/usr/local/sbin"]:
        candidate = Path(folder or ".") / "nginx"
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return str(candidate)
    raise PlanError("nginx is not installed (Debian: apt-get install -y nginx), or set CROWDSKETCH_DEPLOY_NGINX")


def port_taken(host: str, port: int) -> bool:
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return True
    return False


def render_nginx_conf(plan: Plan, max_body_bytes: int, max_import_bytes: int) -> str:
    def servers(role: str) -> str:
        return "\n".join(f"        server {SERVICE_HOST}:{port} max_fails=2 fail_timeout=5s;" for port in plan.services[role])

    values = {
        "run_dir": str(plan.run_dir),
        "listen": f"{url_host(plan.listen_host) if ':' in plan.listen_host else plan.listen_host}:{plan.listen_port}",
        "collection_servers": servers("collection"),
        "admin_servers": servers("admin"),
        "inference_servers": servers("inference"),
        "max_body_bytes": str(max_body_bytes),
        "max_import_bytes": str(max_import_bytes),
    }
    text = TEMPLATE.read_text()
    for name, value in values.items():
        text = text.replace("{{ " + name + " }}", value)
    if left := re.findall(r"\{\{ \w+ \}\}", text):
        raise PlanError(f"{TEMPLATE}: placeholders left unfilled: {sorted(set(left))}")
    return text


def url_host(host: str) -> str:
    if host in ("0.0.0.0", ""):
        return "127.0.0.1"
    if host == "::":
        return "[::1]"
    return f"[{host}]" if ":" in host else host


def _body_limits() -> tuple[int, int]:
    """The app's own body limits, so that nginx enforces the same ones (and a setting the
    services would refuse is refused here, before anything starts)."""
    from pydantic import ValidationError

    from crowdsketch.settings import Settings

    try:
        settings = Settings()
    except ValidationError as error:
        raise PlanError(f"the settings are refused: {error}") from None
    return settings.max_body_bytes, settings.max_import_bytes
