"""The first hour at the command line: the mistakes a newcomer makes get one clear line and
an exit status, never a traceback; and the commands do what the README says. Each test runs
the command as a user does, as a process."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import time
from pathlib import Path

import orjson
import pytest

from tests.support.cli import CLI, cli_env, run_cli
from tests.support.processes import free_ports

_env = cli_env
_run = run_cli


def _one_line_error(result: subprocess.CompletedProcess[str], *expected: str) -> None:
    assert result.returncode == 1, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.strip().splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    for text in expected:
        assert text in lines[0], lines[0]


def _rows(data_dir: Path, query: str) -> list[tuple]:
    with sqlite3.connect(data_dir / "crowdsketch.db") as db:
        return db.execute(query).fetchall()


def test_a_lost_admin_password_is_set_anew(tmp_path: Path) -> None:
    data = str(tmp_path / "data")
    created = _run("create-admin", "ada@example.org", "--name", "Ada", "--password-stdin", "--data-dir", data,
                   stdin="first-password\n")
    again = _run("create-admin", "ada@example.org", "--name", "Ada", "--password-stdin", "--data-dir", data,
                 stdin="second-password\n")
    reset = _run("set-password", "ADA@example.org", "--password-stdin", "--data-dir", data, stdin="second-password\n")
    nobody = _run("set-password", "bob@example.org", "--password-stdin", "--data-dir", data, stdin="third-password\n")

    assert created.returncode == 0, created.stderr
    _one_line_error(again, "already exists", "crowdsketch set-password ada@example.org")
    assert reset.returncode == 0 and reset.stdout.strip() == "set the password of ada@example.org", reset.stderr
    _one_line_error(nobody, "No admin with the email bob@example.org")
    [(action, email)] = _rows(tmp_path / "data", "SELECT action, admin_email FROM audit_log WHERE action = 'password.set'")
    assert email.startswith("command line (")


def test_seeding_twice_stores_each_drawing_once(tmp_path: Path) -> None:
    data = str(tmp_path / "data")
    first = _run("seed", "--per-shape", "3", "--data-dir", data)
    second = _run("seed", "--per-shape", "3", "--data-dir", data)
    other = _run("seed", "--per-shape", "3", "--seed", "1", "--data-dir", data)

    assert first.returncode == second.returncode == other.returncode == 0
    assert first.stdout.strip() == "stored 36 synthetic drawings"
    assert second.stdout.strip() == "stored 0 synthetic drawings; 36 were there already"
    assert other.stdout.strip() == "stored 36 synthetic drawings"
    [(rows, distinct)] = _rows(tmp_path / "data", "SELECT count(*), count(DISTINCT content_hash) FROM drawings")
    assert rows == distinct == 72

    # A training says what the user needs, not the ONNX exporter's chatter about libraries
    # the project does not use, nor other libraries' deprecation warnings.
    trained = _run("train", "--epochs", "1", "--shapes", "circle,square", "--data-dir", data, CROWDSKETCH_ACTIVATION_FLOOR="0")
    assert trained.returncode == 0, trained.stderr
    assert "model version 1" in trained.stdout
    assert "torchvision" not in trained.stderr and "Warning" not in trained.stderr, trained.stderr


def test_an_export_reimported_elsewhere_keeps_its_source_and_dates(tmp_path: Path) -> None:
    here, there, exported = str(tmp_path / "here"), str(tmp_path / "there"), tmp_path / "out.jsonl"
    assert _run("seed", "--per-shape", "2", "--data-dir", here).returncode == 0
    assert _run("export", str(exported), "--data-dir", here).returncode == 0
    lines = [orjson.loads(line) for line in exported.read_bytes().splitlines()]
    lines[0]["created_at"] = "yesterday"
    bad = tmp_path / "bad.jsonl"
    bad.write_bytes(orjson.dumps(lines[0]) + b"\n")

    imported = _run("import", str(exported), "--data-dir", there)
    refused = _run("import", str(bad), "--data-dir", there)
    trained = _run("train", "--no-include-synthetic", "--epochs", "1", "--data-dir", there)

    assert imported.returncode == 0, imported.stderr
    source_dates = sorted(_rows(tmp_path / "there", "SELECT source, created_at FROM drawings"))
    assert source_dates == sorted(_rows(tmp_path / "here", "SELECT source, created_at FROM drawings"))
    assert {source for source, _ in source_dates} == {"synthetic"}
    assert "created_at" in refused.stdout + refused.stderr
    # Synthetic drawings stay synthetic, so leaving them out leaves nothing, said in one line.
    assert trained.returncode == 1 and "Traceback" not in trained.stderr
    assert "no drawings match the job's configuration (synthetic drawings left out" in trained.stderr


def test_common_mistakes_are_one_line_each(tmp_path: Path) -> None:
    data = str(tmp_path / "data")
    labelled = tmp_path / "labelled.jsonl"
    labelled.write_bytes(orjson.dumps({"label": "circle", "strokes": [[[0, 0, 0], [50, 50, 40], [90, 10, 80]]]}) + b"\n")

    _one_line_error(_run("evaluate", str(labelled), "--url", "127.0.0.1:9"), "http:// or https://")
    _one_line_error(_run("evaluate", str(labelled), "--url", "http://127.0.0.1:9"),
                    "cannot connect to http://127.0.0.1:9")
    _one_line_error(_run("serve", "--data-dir", data, CROWDSKETCH_ENVIRONMENT="production"),
                    "invalid setting", "CROWDSKETCH_SECRET_KEY")
    _one_line_error(_run("serve", "--data-dir", data, CROWDSKETCH_ENVIRONMENT="production",
                         CROWDSKETCH_SECRET_KEY="too-short"), "at least 32 bytes")
    # A data dir never migrated is brought up to date, as `serve` does.
    fresh = _run("import", str(labelled), "--data-dir", str(tmp_path / "fresh"))
    assert fresh.returncode == 0 and "imported 1" in fresh.stdout, fresh.stderr
    # Usage mistakes are typer's short usage errors (exit 2), in the same words everywhere.
    missing_folder = _run("export", str(tmp_path / "nope" / "out.jsonl"), "--data-dir", data)
    folder = _run("import", str(tmp_path), "--data-dir", data)
    one_shape = _run("train", "--shapes", "circle", "--data-dir", data)
    same_shape = _run("train", "--shapes", "circle,circle", "--data-dir", data)
    assert [r.returncode for r in (missing_folder, folder, one_shape, same_shape)] == [2, 2, 2, 2]
    assert "no such folder" in missing_folder.stderr and "is a folder; give a file" in folder.stderr
    assert "a classifier needs at least 2 shapes" in one_shape.stderr
    assert "a classifier needs at least 2 shapes" in same_shape.stderr
    # --debug keeps the traceback for a bug report.
    debug = _run("evaluate", str(labelled), "--url", "http://127.0.0.1:9", "--debug")
    assert debug.returncode == 1 and "Traceback" in debug.stderr


def test_an_export_takes_shapes_as_a_list_or_repeated(tmp_path: Path) -> None:
    data = str(tmp_path / "data")
    assert _run("seed", "--per-shape", "2", "--data-dir", data).returncode == 0
    listed = _run("export", "-", "--shape", "circle,square", "--data-dir", data)
    repeated = _run("export", "-", "--shape", "circle", "--shape", "square", "--data-dir", data)
    assert listed.returncode == repeated.returncode == 0
    assert listed.stdout == repeated.stdout
    assert {orjson.loads(line)["label"] for line in listed.stdout.splitlines()} == {"circle", "square"}


def _wait_for(predicate, what: str, within_s: float = 120.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + within_s
    while not predicate():
        assert time.monotonic() < deadline, f"{what} did not happen"
        time.sleep(0.1)


def test_a_queued_training_with_no_worker_says_so_and_ctrl_c_cancels_it(tmp_path: Path) -> None:
    data = tmp_path / "data"
    assert _run("seed", "--per-shape", "2", "--data-dir", str(data)).returncode == 0
    log = tmp_path / "train.err"
    with log.open("w") as err:
        proc = subprocess.Popen([*CLI, "train", "--epochs", "1", "--queue", "--data-dir", str(data)],
                                stdout=subprocess.PIPE, stderr=err, text=True, env=_env())
        try:
            _wait_for(lambda: "no worker has taken job" in log.read_text(), "the hint")
            proc.send_signal(signal.SIGINT)
            proc.wait(timeout=60)
        finally:
            proc.kill()
    text = log.read_text()
    assert "is `crowdsketch worker` (or `crowdsketch serve`) running" in text
    assert "no worker had taken it" in text and "Traceback" not in text
    assert proc.returncode != 0
    assert _rows(data, "SELECT status FROM training_jobs") == [("cancelled",)]


def test_a_second_serve_on_one_data_dir_is_refused(tmp_path: Path) -> None:
    data = str(tmp_path / "data")
    first_port, second_port = free_ports(2)
    first = subprocess.Popen([*CLI, "serve", "--no-worker", "--no-bootstrap", "--port", str(first_port),
                              "--data-dir", data], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                             env=_env())
    try:
        _wait_for(lambda: (tmp_path / "data" / "serve.lock").exists()
                  and (tmp_path / "data" / "serve.lock").read_text().strip() == str(first.pid), "the first serve's lock")
        second = _run("serve", "--no-worker", "--no-bootstrap", "--port", str(second_port), "--data-dir", data)
        _one_line_error(second, f"another `crowdsketch serve` (pid {first.pid}) is using")
    finally:
        first.terminate()
        first.wait(timeout=30)


def test_a_worker_stops_when_the_serve_that_started_it_is_killed(tmp_path: Path) -> None:
    data = str(tmp_path / "data")
    pid_file = tmp_path / "worker.pid"
    assert _run("migrate", "--data-dir", data).returncode == 0
    # A stand-in for `serve`: a shell that starts the worker as its child, then is killed hard.
    parent = subprocess.Popen(
        ["sh", "-c", f'{" ".join(CLI)} worker --data-dir {data} --parent-pid $$ & echo $! > {pid_file}; wait'],
        env=_env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    _wait_for(lambda: pid_file.exists() and pid_file.read_text().strip(), "the worker's start")
    worker = int(pid_file.read_text())
    parent.kill()
    parent.wait(timeout=10)

    def gone() -> bool:
        try:
            os.kill(worker, 0)
        except ProcessLookupError:
            return True
        # A zombie (ended, not yet reaped by its new parent) has ended too.
        with open(f"/proc/{worker}/stat") as stat:
            return stat.read().split(") ")[1].startswith("Z")

    try:
        _wait_for(gone, "the orphaned worker's exit", within_s=60)
    finally:
        if not gone():
            os.kill(worker, signal.SIGKILL)


@pytest.mark.parametrize("json_logs", ["false", "true"])
def test_the_serving_line_names_its_url_whatever_the_log_format(tmp_path: Path, json_logs: str) -> None:
    [port] = free_ports(1)
    proc = subprocess.Popen([*CLI, "serve", "--no-worker", "--no-bootstrap", "--port", str(port), "--data-dir",
                             str(tmp_path / "data")], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                            env=_env(CROWDSKETCH_LOG_JSON=json_logs))
    try:
        assert proc.stderr is not None
        for line in proc.stderr:
            if "serving" in line:
                assert f"http://127.0.0.1:{port}" in line, line
                break
        else:
            pytest.fail("no serving line")
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def test_a_rabbitmq_worker_stopped_by_a_signal_says_nothing_alarming(tmp_path: Path) -> None:
    from tests.conftest import require_service

    require_service("RabbitMQ", "127.0.0.1", 5672)
    data = str(tmp_path / "data")
    assert _run("migrate", "--data-dir", data).returncode == 0
    queue = f"crowdsketch.test-{os.getpid()}-{time.monotonic_ns()}"
    log = tmp_path / "worker.log"
    with log.open("w") as err:
        worker = subprocess.Popen([*CLI, "worker", "--data-dir", data], stdout=subprocess.DEVNULL, stderr=err, text=True,
                                  env=_env(CROWDSKETCH_AMQP_URL="amqp://guest:guest@127.0.0.1:5672/",
                                           CROWDSKETCH_AMQP_TRAINING_QUEUE=queue))
        try:
            _wait_for(lambda: "worker ready" in log.read_text(), "the worker's start")
            time.sleep(1)  # waiting on both queues now
            worker.send_signal(signal.SIGTERM)
            worker.wait(timeout=60)
        finally:
            worker.kill()
    text = log.read_text()
    # Stopping is not a failure: no traceback, no channel error from the consumers' goodbye.
    assert "Traceback" not in text and "ChannelInvalidStateError" not in text, text
