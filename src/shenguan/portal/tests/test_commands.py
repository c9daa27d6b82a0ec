"""``shenguan serve`` and ``shenguan up`` without starting a server: ``os.execv`` is replaced
by a stub that records the gunicorn command line."""

from __future__ import annotations

import os
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from shenguan.demo.management.commands import serve as serve_module
from shenguan.demo.management.commands import up as up_module


def _fake(name, real, *args, **kwargs):
    """``migrate`` is recorded but not run: the test database is already migrated, and a
    migration applied inside a test transaction would fail on SQLite."""
    if name == "migrate":
        return None
    return real(name, *args, **kwargs)


class Exec(Exception):
    def __init__(self, argv):
        super().__init__(argv)
        self.argv = argv


@pytest.fixture
def no_exec(monkeypatch):
    def fake_execv(path, argv):
        raise Exec(argv)

    monkeypatch.setattr(serve_module.os, "execv", fake_execv)


@pytest.fixture
def static_root(settings, tmp_path):
    settings.STATIC_ROOT = tmp_path / "static"
    return settings.STATIC_ROOT


@pytest.mark.parametrize(("cpus", "workers"), [(1, 3), (2, 4), (16, 4)])
def test_default_workers_is_two_per_core_plus_one_capped(cpus, workers):
    assert serve_module.default_workers(cpus) == workers


def test_serve_collects_static_then_execs_gunicorn(no_exec, static_root):
    out = StringIO()
    with pytest.raises(Exec) as exc:
        call_command("serve", bind="127.0.0.1:8765", workers=3, threads=5, stdout=out)
    argv = exc.value.argv
    assert argv[1:4] == ["-m", "gunicorn", "shenguan.wsgi:application"]
    assert argv[argv.index("--bind") + 1] == "127.0.0.1:8765"
    assert argv[argv.index("--workers") + 1] == "3"
    assert argv[argv.index("--threads") + 1] == "5"
    assert (static_root / "vendor" / "tabler" / "tabler.min.css").exists()
    assert (static_root / "vendor" / "htmx" / "htmx.min.js").exists()
    assert (static_root / serve_module.STAMP_NAME).exists()
    assert "http://127.0.0.1:8765" in out.getvalue()


def test_serve_default_workers(no_exec, static_root, monkeypatch):
    monkeypatch.setattr(serve_module.os, "cpu_count", lambda: 1)
    with pytest.raises(Exec) as exc:
        call_command("serve", stdout=StringIO())
    argv = exc.value.argv
    assert argv[argv.index("--workers") + 1] == "3"
    assert argv[argv.index("--bind") + 1] == "127.0.0.1:8000"


def test_collectstatic_runs_only_when_needed(static_root):
    assert serve_module.collectstatic_needed()
    serve_module.collect_static()
    assert not serve_module.collectstatic_needed()
    stamp = static_root / serve_module.STAMP_NAME
    os.utime(stamp, (1, 1))  # a source file is now newer than the last collection
    assert serve_module.collectstatic_needed()
    serve_module.collect_static()
    stamp.write_text("some.other.Storage\n")  # collected for another storage backend
    assert serve_module.collectstatic_needed()


@pytest.mark.parametrize("option", [{"workers": 0}, {"threads": 0}])
def test_serve_refuses_nonsense_counts(no_exec, static_root, option):
    with pytest.raises(CommandError):
        call_command("serve", stdout=StringIO(), **option)


@pytest.mark.django_db
def test_up_migrates_seeds_when_empty_and_serves(no_exec, static_root, monkeypatch):
    calls = []
    real = up_module.call_command

    def spy(name, *args, **kwargs):
        calls.append(name)
        if name == "demo":
            return None
        return _fake(name, real, *args, **kwargs)

    monkeypatch.setattr(up_module, "call_command", spy)
    with pytest.raises(Exec):
        call_command("up", stdout=StringIO())
    assert calls[:2] == ["migrate", "demo"]


@pytest.mark.django_db
def test_up_without_demo_command_warns_and_lists_logins(static_root, monkeypatch, make_user):
    make_user("window_clerk", username="clerk9")
    make_user("grid_worker", username="grid9")
    real = up_module.call_command

    def no_demo(name, *args, **kwargs):
        if name == "demo":
            raise CommandError("Unknown command: 'demo'")
        return _fake(name, real, *args, **kwargs)

    monkeypatch.setattr(up_module, "call_command", no_demo)
    out, err = StringIO(), StringIO()
    call_command("up", no_serve=True, stdout=out, stderr=err)
    assert "demo" in err.getvalue() and "not available" in err.getvalue()
    assert "Shenguan-demo-2026" in out.getvalue()
    assert "clerk9" in out.getvalue() and "grid9" in out.getvalue()


@pytest.mark.django_db
def test_up_does_not_reseed_a_database_with_data(static_root, monkeypatch, parties, make_user):
    """Generated parties are the demo's last step (``up.has_demo_data``): with them, no seed."""
    make_user("bureau_head", username="head9")
    calls = []
    real = up_module.call_command

    def spy(name, *args, **kwargs):
        calls.append(name)
        return _fake(name, real, *args, **kwargs)

    monkeypatch.setattr(up_module, "call_command", spy)
    out = StringIO()
    call_command("up", no_serve=True, stdout=out)
    assert calls == ["migrate"]
    assert "head9" in out.getvalue()


@pytest.mark.django_db
def test_up_passes_other_demo_errors_on(static_root, monkeypatch):
    def broken(name, *args, **kwargs):
        if name == "demo":
            raise CommandError("the power list file is missing")

    monkeypatch.setattr(up_module, "call_command", broken)
    with pytest.raises(CommandError, match="power list file is missing"):
        call_command("up", no_serve=True, stdout=StringIO())
