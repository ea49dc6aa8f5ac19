#!/usr/bin/env python3
"""crowdsketch's distributed topology on one machine, under one command.

    make run-distributed                        # = .venv/bin/python deploy/run.py

In order, it:

1. starts a moto S3 server, for development only, when no `AWS_ENDPOINT_URL` is set (and
   says so loudly: what it holds is gone when it stops);
2. prepares the stores once (deploy/prepare.py): creates the PostgreSQL database if it is
   missing, brings the schema up to date, creates the S3 bucket if it is missing, creates
   the first admin (`CROWDSKETCH_ADMIN_PASSWORD`, or a random password printed once);
3. starts the services, `crowdsketch serve --role R --no-worker --no-bootstrap --no-migrate`
   on 127.0.0.1, one process per port listed for collection, admin and inference, and
   waits until each answers /healthz;
4. starts `CROWDSKETCH_DEPLOY_WORKERS` training workers (`crowdsketch worker`), competing
   consumers of the RabbitMQ training queue; the first one seeds and trains the first model
   on an empty stack unless `CROWDSKETCH_DEPLOY_BOOTSTRAP=0`;
5. renders deploy/nginx.conf.template into the run dir and runs nginx in the foreground
   with it: pid, temp paths and access log in the run dir, no root needed.

Each child runs in a process group of its own. Ctrl-C or SIGTERM stops nginx first (no new
requests), then the services and workers, then moto: the whole group of each, SIGKILL for a
group still alive after the grace period, and every group is checked empty before exit. A
child also gets SIGTERM if this supervisor dies without cleaning up. If any child exits on
its own, everything is stopped and the exit status is 1, as honcho and foreman do, with one
exception: a training worker that dies after running for WORKER_MIN_UPTIME_S is started
again (the job it held has gone back to the queue, for the other workers), since the
workers are interchangeable and one crash must not take nginx and every service down.

The settings come from the environment (deploy/topology.py; README.md, "Distributed
deployment").
"""

from __future__ import annotations

import ctypes
import json
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

from topology import SERVICE_HOST, Plan, PlanError, port_taken, render_nginx_conf, url_host

DEPLOY_DIR = Path(__file__).resolve().parent
ROOT = DEPLOY_DIR.parent
STOP_GRACE_S = 15.0
START_TIMEOUT_S = 90.0
# A worker that dies sooner than this after its start cannot start (settings, broker): that
# stops everything, as any other child's exit does, rather than restarting in a loop.
WORKER_MIN_UPTIME_S = 10.0


# --------------------------------------------------------------------------------------
# Children: each in a process group of its own, its output prefixed with its name.
# --------------------------------------------------------------------------------------

_PR_SET_PDEATHSIG = 1
try:
    _prctl = ctypes.CDLL(None, use_errno=True).prctl
except (OSError, AttributeError):  # not Linux: no parent-death signal, the rest still works
    _prctl = None


def _in_own_group_dying_with_us() -> None:
    """In the child, before exec: SIGTERM when the supervisor dies (even by SIGKILL), so a
    crashed supervisor leaves no orphans. Only a C call: safe between fork and exec."""
    if _prctl is not None:
        _prctl(_PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)


_COLORS = ["36", "33", "32", "35", "34", "91", "92", "93", "94", "95", "96"]


class Console:
    def __init__(self) -> None:
        # Re-entrant: a signal handler may print while the main thread holds the lock.
        self._lock = threading.RLock()
        self._color = sys.stdout.isatty() and not os.environ.get("NO_COLOR")
        self._width = 12

    def line(self, name: str, text: str, color: str = "0") -> None:
        label = name.ljust(self._width)
        if self._color:
            label = f"\x1b[{color}m{label}\x1b[0m"
        with self._lock:
            sys.stdout.write(f"{label} | {text}\n")
            sys.stdout.flush()

    def say(self, text: str) -> None:
        for line in text.splitlines() or [""]:
            self.line("deploy", line, "1")

    def shout(self, lines: list[str]) -> None:
        """A boxed warning that cannot be missed."""
        width = max(len(line) for line in lines) + 4
        self.say("!" * width)
        for line in lines:
            self.say(f"! {line.ljust(width - 4)} !")
        self.say("!" * width)


class Child:
    def __init__(self, console: Console, name: str, args: list[str], env: dict[str, str],
                 log_file: Path | None = None, color: str = "0") -> None:
        self.name = name
        self.args = args
        self.expected_exit = False
        self.restartable = False
        self.started_at = time.monotonic()
        output = log_file.open("ab") if log_file is not None else subprocess.PIPE
        self.proc = subprocess.Popen(
            args, env=env, cwd=str(ROOT), stdin=subprocess.DEVNULL, stdout=output, stderr=subprocess.STDOUT,
            start_new_session=True, preexec_fn=_in_own_group_dying_with_us,
        )
        if log_file is not None:
            output.close()  # type: ignore[union-attr]
        else:
            threading.Thread(target=self._pump, args=(console, color), daemon=True, name=f"output-{name}").start()

    @property
    def pid(self) -> int:
        return self.proc.pid

    def _pump(self, console: Console, color: str) -> None:
        assert self.proc.stdout is not None
        for raw in iter(self.proc.stdout.readline, b""):
            console.line(self.name, raw.decode("utf-8", "replace").rstrip("\n"), color)

    def signal_group(self, signum: int) -> None:
        try:
            os.killpg(self.pid, signum)
        except (ProcessLookupError, PermissionError):
            pass

    def group_alive(self) -> bool:
        """True while any process of its group is left (the leader is reaped first: a
        zombie still counts as a member)."""
        self.proc.poll()
        try:
            os.killpg(self.pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
        return True


class Supervisor:
    def __init__(self, plan: Plan) -> None:
        self.plan = plan
        self.console = Console()
        self.children: list[Child] = []
        self.stopping = threading.Event()
        self.signals = 0
        self.failed: str | None = None

    # -- signals --------------------------------------------------------------------

    def install_signal_handlers(self) -> None:
        for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(signum, self._on_signal)

    def _on_signal(self, signum: int, _frame: object) -> None:
        self.signals += 1
        if self.signals == 1:
            self.console.say(f"{signal.Signals(signum).name}: stopping everything (again to kill at once)")
        self.stopping.set()

    # -- starting -------------------------------------------------------------------

    def start(self, name: str, args: list[str], log_file: Path | None = None, restartable: bool = False) -> Child:
        child = Child(self.console, name, args, self.plan.env, log_file, _COLORS[len(self.children) % len(_COLORS)])
        child.restartable = restartable
        self.children.append(child)
        self._write_processes()
        return child

    def restart(self, index: int) -> None:
        """Start a child that died again, in its place (the same name, args and colour)."""
        dead = self.children[index]
        dead.signal_group(signal.SIGKILL)  # whatever it started dies with it
        child = Child(self.console, dead.name, dead.args, self.plan.env, None, _COLORS[index % len(_COLORS)])
        child.restartable = True
        self.children[index] = child
        self._write_processes()

    def _write_processes(self) -> None:
        """The process groups started, for whoever needs to check they are gone (the test)."""
        record = {child.name: child.pid for child in self.children}
        (self.plan.run_dir / "processes.json").write_text(json.dumps(record, indent=2))

    def check(self) -> None:
        """Raise if a signal came or a child exited on its own."""
        if self.stopping.is_set():
            raise Stopping
        for index, child in enumerate(self.children):
            code = child.proc.poll()
            if code is None or child.expected_exit:
                continue
            if child.restartable and time.monotonic() - child.started_at >= WORKER_MIN_UPTIME_S:
                self.console.say(f"{child.name} exited with status {code}: starting it again "
                                 "(a job it held has gone back to the queue for another worker)")
                self.restart(index)
                continue
            self.failed = f"{child.name} exited with status {code}"
            raise Stopping

    def wait_http(self, child: Child, url: str, timeout_s: float = START_TIMEOUT_S) -> None:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            self.check()
            try:
                with _NO_PROXY.open(url, timeout=2) as answer:
                    if answer.status < 500:
                        return
            except urllib.error.HTTPError as error:
                if error.code < 500:
                    return
            except (OSError, ValueError):
                pass
            self.stopping.wait(0.2)
        self.failed = f"{child.name}: {url} did not answer within {timeout_s:.0f} s"
        raise Stopping

    def run_once(self, name: str, args: list[str]) -> None:
        """A step that must finish (successfully) before the next."""
        child = self.start(name, args)
        child.expected_exit = True
        while child.proc.poll() is None:
            if self.stopping.is_set():
                raise Stopping
            self.stopping.wait(0.2)
        if child.proc.returncode != 0:
            self.failed = f"{name} failed (status {child.proc.returncode})"
            raise Stopping

    def up(self) -> None:
        plan = self.plan
        plan.run_dir.mkdir(parents=True, exist_ok=True)
        python = sys.executable
        crowdsketch = Path(python).parent / "crowdsketch"
        command = [str(crowdsketch)] if crowdsketch.exists() else [python, "-m", "crowdsketch.cli"]

        if plan.moto_port is not None:
            self.console.shout([
                "No S3 endpoint is configured (AWS_ENDPOINT_URL): starting a moto S3 server on",
                f"127.0.0.1:{plan.moto_port} for DEVELOPMENT. It keeps strokes and models in memory:",
                "they are LOST when it stops, while the database keeps their rows. Point",
                "AWS_ENDPOINT_URL (and AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY) at MinIO or S3",
                f"to keep them. moto's log: {plan.run_dir / 'moto.log'}",
            ])
            moto = self.start("moto", [python, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(plan.moto_port)],
                              log_file=plan.run_dir / "moto.log")
            self.wait_http(moto, f"http://127.0.0.1:{plan.moto_port}/moto-api/")

        self.run_once("prepare", [python, str(DEPLOY_DIR / "prepare.py")])

        for role, ports in plan.services.items():
            for index, port in enumerate(ports, 1):
                self.start(f"{role}.{index}", [*command, "serve", "--role", role, "--host", SERVICE_HOST,
                                               "--port", str(port), "--no-worker", "--no-bootstrap", "--no-migrate"])
        for index in range(1, plan.workers + 1):
            bootstrap = ["--bootstrap"] if plan.bootstrap and index == 1 else []
            self.start(f"worker.{index}", [*command, "worker", *bootstrap], restartable=True)
        services = [child for child in self.children if child.name.split(".")[0] in plan.services]
        for child, port in zip(services, [p for ps in plan.services.values() for p in ps], strict=True):
            self.wait_http(child, f"http://{SERVICE_HOST}:{port}/healthz")

        conf = plan.run_dir / "nginx.conf"
        conf.write_text(render_nginx_conf(plan, *plan.body_limits))
        (plan.run_dir / "tmp").mkdir(exist_ok=True)
        nginx_args = [plan.nginx, "-p", str(plan.run_dir), "-c", str(conf), "-e", "stderr"]
        self.run_once("nginx -t", [*nginx_args, "-q", "-t"])
        nginx = self.start("nginx", nginx_args)
        url = f"http://{url_host(plan.listen_host)}:{plan.listen_port}"
        self.wait_http(nginx, f"{url}/healthz")

        lines = [
            f"crowdsketch distributed topology is up: {url}",
            f"  game {url}/   admin {url}/admin   implementor portal {url}/implementor",
        ]
        for role, ports in plan.services.items():
            lines.append(f"  {role}: " + ", ".join(f"{SERVICE_HOST}:{port}" for port in ports))
        lines.append(f"  workers: {plan.workers}; nginx config, pid and access log in {plan.run_dir}")
        lines.append("  Ctrl-C stops everything")
        self.console.say("\n".join(lines))

    def wait(self) -> None:
        while True:
            self.check()
            self.stopping.wait(0.5)

    # -- stopping -------------------------------------------------------------------

    def down(self) -> bool:
        """Stop every child, in order; True when every process group is gone."""
        for child in self.children:
            child.expected_exit = True
        by_name = {child.name: child for child in self.children}
        nginx = [by_name[name] for name in ("nginx",) if name in by_name]
        moto = [by_name[name] for name in ("moto",) if name in by_name]
        rest = [child for child in self.children if child not in nginx and child not in moto]
        # nginx first, gracefully (SIGQUIT: finish the requests in flight, accept no more);
        # then the services (uvicorn drains on SIGTERM) and workers (an unfinished job goes
        # back to the queue); the store they talk to last.
        self._stop(nginx, signal.SIGQUIT, 10.0)
        self._stop(rest, signal.SIGTERM, STOP_GRACE_S)
        self._stop(moto, signal.SIGTERM, 5.0)
        left = [child for child in self.children if child.group_alive()]
        for child in left:
            self.console.say(f"process group {child.pid} ({child.name}) is still alive")
        return not left

    def _stop(self, children: list[Child], signum: int, grace_s: float) -> None:
        children = [child for child in children if child.group_alive()]
        if not children:
            return
        self.console.say("stopping " + ", ".join(child.name for child in children))
        for child in children:
            child.signal_group(signum)
        deadline = time.monotonic() + grace_s
        while time.monotonic() < deadline and self.signals < 2:
            if not any(child.group_alive() for child in children):
                return
            time.sleep(0.1)
        for child in children:
            if child.group_alive():
                self.console.say(f"{child.name} did not stop: SIGKILL to its process group")
                child.signal_group(signal.SIGKILL)
        deadline = time.monotonic() + 5.0
        while time.monotonic() < deadline and any(child.group_alive() for child in children):
            time.sleep(0.05)


# Straight to the address asked for, whatever http_proxy says.
_NO_PROXY = urllib.request.build_opener(urllib.request.ProxyHandler({}))


class Stopping(Exception):
    """Leave the start-up or the wait: a signal came, or a child exited."""


def main(argv: list[str]) -> int:
    if argv[1:]:
        print(__doc__, file=sys.stderr)
        return 2
    try:
        plan = Plan.from_env(dict(os.environ))
    except PlanError as error:
        print(f"deploy: {error}", file=sys.stderr)
        return 2
    taken = [f"{name} {port}" for name, port in plan.all_ports()
             if port_taken(plan.listen_host if name.startswith("nginx") else SERVICE_HOST, port)]
    if taken:
        print("deploy: in use already (another run?): " + "; ".join(taken), file=sys.stderr)
        return 2
    supervisor = Supervisor(plan)
    supervisor.install_signal_handlers()
    try:
        supervisor.up()
        supervisor.wait()
    except Stopping:
        pass
    except Exception as error:  # noqa: BLE001 - whatever failed, what was started is stopped
        supervisor.failed = f"{type(error).__name__}: {error}"
    finally:
        clean = supervisor.down()
    if supervisor.failed:
        supervisor.console.say(f"stopped: {supervisor.failed}")
    else:
        supervisor.console.say("stopped")
    return 1 if supervisor.failed or not clean else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
