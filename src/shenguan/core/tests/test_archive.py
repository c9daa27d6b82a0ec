"""`shenguan archive export / verify`: an intact export verifies; any altered, deleted or
added line, a broken journal chain, a rewritten manifest or a missing file is named."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from shenguan.core import archive, services
from shenguan.core.models import JournalEntry
from shenguan.org.models import Department


@pytest.fixture
def exported(tmp_path, make_user):
    make_user("window_clerk", username="clerk1")  # user + group rows and an M2M row
    for i in range(6):
        services.create_object(Department, {"code": f"A{i:02d}", "name": f"档案测试部门{i}"})
    out = tmp_path / "export"
    manifest = archive.export(out, chunk_size=2)
    return out, manifest


def entry(manifest, table):
    return next(f for f in manifest["files"] if f["table"] == table)


def rewrite(path: Path, edit) -> None:
    lines = path.read_bytes().splitlines(keepends=True)
    path.write_bytes(b"".join(edit(lines)))


def verify_fails(directory) -> str:
    with pytest.raises(CommandError) as exc:
        call_command("archive", "verify", str(directory), stderr=(err := _Buffer()))
    assert "FAILED" in str(exc.value)
    return err.text


class _Buffer:
    def __init__(self):
        self.text = ""

    def write(self, s):
        self.text += s

    def flush(self):
        pass


@pytest.mark.django_db
def test_export_then_verify_passes(exported, capsys):
    out, manifest = exported
    tables = {f["table"] for f in manifest["files"]}
    assert {"org_department", "core_journalentry", "auth_user_groups"} <= tables
    dept = entry(manifest, "org_department")
    assert dept["rows"] == Department.objects.count() == 6
    rows = [json.loads(line) for line in (out / dept["file"]).read_text().splitlines()]
    assert [r["id"] for r in rows] == sorted(r["id"] for r in rows)
    assert {r["code"] for r in rows} == {f"A{i:02d}" for i in range(6)}
    last = JournalEntry.objects.order_by("seq").last()
    assert manifest["journal"] == {
        "file": "journal.jsonl",
        "head_seq": last.seq,
        "head_hash": last.hash,
    }
    assert manifest["database"]["vendor"] in {"sqlite", "postgresql"}
    report = archive.verify(out)
    assert report.ok, [str(p) for p in report.problems]
    assert report.journal_entries == last.seq
    call_command("archive", "verify", str(out))
    assert "archive OK" in capsys.readouterr().out


@pytest.mark.django_db
def test_export_refuses_a_non_empty_directory(tmp_path):
    (tmp_path / "x.txt").write_text("x")
    with pytest.raises(CommandError, match="not empty"):
        call_command("archive", "export", str(tmp_path))


@pytest.mark.django_db
def test_export_command_journals_the_export(tmp_path, capsys):
    services.create_object(Department, {"code": "E1", "name": "导出部门"})
    call_command("archive", "export", str(tmp_path / "e"))
    assert "exported" in capsys.readouterr().out
    last = JournalEntry.objects.order_by("seq").last()
    assert last.action == "core.archive.exported"
    assert last.after["journal_head_seq"] == last.seq - 1
    assert archive.verify(tmp_path / "e").ok


@pytest.mark.django_db
def test_one_changed_line_is_named_with_file_line_and_pk(exported):
    out, manifest = exported
    dept = entry(manifest, "org_department")
    rows = (out / dept["file"]).read_text(encoding="utf-8").splitlines()
    target = json.loads(rows[3])

    def edit(lines):
        lines[3] = lines[3].replace("档案测试部门".encode(), "篡改部门".encode())
        return lines

    rewrite(out / dept["file"], edit)
    report = archive.verify(out)
    assert not report.ok
    named = [p for p in report.problems if p.line is not None]
    assert [(p.file, p.line, p.table, p.pk) for p in named] == [
        (dept["file"], 4, "org_department", str(target["id"]))
    ]
    text = verify_fails(out)
    assert f"{dept['file']} line 4 (table org_department, pk {target['id']}): line altered" in text


@pytest.mark.django_db
def test_deleted_line_is_named(exported):
    out, manifest = exported
    dept = entry(manifest, "org_department")
    target = json.loads((out / dept["file"]).read_text(encoding="utf-8").splitlines()[1])
    rewrite(out / dept["file"], lambda lines: lines[:1] + lines[2:])
    report = archive.verify(out)
    messages = [str(p) for p in report.problems]
    assert f"{dept['file']} line 2 (table org_department, pk {target['id']}): line deleted" in (
        messages
    )
    assert any("5 rows, the manifest says 6" in m for m in messages)


@pytest.mark.django_db
def test_inserted_line_is_named(exported):
    out, manifest = exported
    dept = entry(manifest, "org_department")
    rewrite(out / dept["file"], lambda lines: lines[:2] + [lines[0]] + lines[2:])
    named = [(p.line, p.message) for p in archive.verify(out).problems if p.line]
    assert named == [(3, "line inserted")]


@pytest.mark.django_db
def test_altered_journal_entry_breaks_the_chain_at_its_seq(exported):
    out, manifest = exported
    lines = (out / "journal.jsonl").read_text(encoding="utf-8").splitlines()
    row = json.loads(lines[2])
    row["actor_name"] = "someone else"
    lines[2] = json.dumps(row, ensure_ascii=False, separators=(",", ":"))
    (out / "journal.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    report = archive.verify(out)
    messages = [str(p) for p in report.problems]
    assert any(
        f"chain broken at journal entry #{row['seq']}: its content does not match its hash" in m
        for m in messages
    ), messages
    assert any(m.startswith("journal.jsonl line 3 ") and "line altered" in m for m in messages)


@pytest.mark.django_db
def test_rewritten_manifest_is_detected(exported):
    """Someone edits a line and recomputes the checksums in the manifest: the per-line digest
    list and the manifest's signature still give them away."""
    out, manifest = exported
    dept = entry(manifest, "org_department")
    rewrite(out / dept["file"], lambda lines: [lines[0].replace(b"A00", b"Z00"), *lines[1:]])
    data = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    import hashlib

    for f in data["files"]:
        if f["table"] == "org_department":
            f["sha256"] = hashlib.sha256((out / f["file"]).read_bytes()).hexdigest()
    (out / "manifest.json").write_text(json.dumps(data), encoding="utf-8")
    messages = [str(p) for p in archive.verify(out).problems]
    assert any(m.startswith("manifest.json: signature does not match") for m in messages)


@pytest.mark.django_db
def test_signature_depends_on_secret_key(exported, settings):
    out, _ = exported
    settings.SECRET_KEY = "another-installation-" + "x" * 40
    assert [p.file for p in archive.verify(out).problems] == ["manifest.json"]


@pytest.mark.django_db
def test_missing_and_unlisted_files_are_named(exported):
    out, manifest = exported
    dept = entry(manifest, "org_department")
    (out / dept["file"]).unlink()
    (out / "tables" / "extra.jsonl").write_text("{}\n")
    messages = [str(p) for p in archive.verify(out).problems]
    assert f"{dept['file']} (table org_department): missing" in messages
    assert "tables/extra.jsonl: not listed in the manifest" in messages


@pytest.mark.django_db
def test_truncated_journal_is_named(exported):
    out, manifest = exported
    rewrite(out / "journal.jsonl", lambda lines: lines[:-1])
    messages = [str(p) for p in archive.verify(out).problems]
    head = manifest["journal"]["head_seq"]
    assert any(f"journal ends at #{head - 1}" in m for m in messages), messages
    assert any("line deleted" in m and f"line {head} " in m for m in messages), messages
