"""Schemathesis over the whole OpenAPI document, in-process against the WSGI application: every
operation gets bounded, seeded (derandomized) positive and negative cases, sent with a bearer
token of either a zone-wide bureau head or an administrator. No case may get a 5xx answer.

Bounds (environment): SHENGUAN_FUZZ_EXAMPLES (positive cases per operation, default 4) and
SHENGUAN_FUZZ_NEGATIVE (negative cases per operation, default 2). The number of generated cases
and the runtime are printed (run with ``-s`` to see them)."""

from __future__ import annotations

import datetime as dt
import logging
import os
import time

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode

from shenguan.approvals import factories as approval_factories
from shenguan.approvals import services as approval_services
from shenguan.core.api_clients import issue_token
from shenguan.core.factories import make_user
from shenguan.enforcement import factories as enforcement_factories

POSITIVE = int(os.environ.get("SHENGUAN_FUZZ_EXAMPLES", "4"))
NEGATIVE = int(os.environ.get("SHENGUAN_FUZZ_NEGATIVE", "2"))


def _seed():
    """A little of everything so that small ids often hit a real object."""
    item = approval_factories.approval_item()
    clerk = approval_factories.clerk_user()
    user, party = approval_factories.applicant_user()
    app = approval_services.create_application(
        power_id=item.power.pk, applicant_id=party.pk, channel="online", user=user
    )
    approval_factories.provide_all(app, item.materials, user)
    approval_services.submit(app.pk, user=user)
    approval_services.accept(app.pk, user=clerk)
    enforcement_factories.bureau()
    head = make_user("bureau_head", staff=True, username="fuzz_head")
    admin = make_user("administrator", username="fuzz_admin")
    return [issue_token("fuzz head", head)[1], issue_token("fuzz admin", admin)[1]]


class _Capture(logging.Handler):
    def __init__(self):
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record):
        self.records.append(record)


@pytest.mark.django_db
def test_no_operation_answers_with_a_server_error(time_machine):
    time_machine.move_to(dt.datetime(2026, 3, 10, 9, 30, tzinfo=dt.UTC))
    tokens = _seed()
    # as Django's test client does: the WSGI handler must not close the connection at the end
    # of each request (loading the schema is one), which would end the test's transaction
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        _fuzz(tokens)
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def _fuzz(tokens):
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", get_wsgi_application())
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 100

    capture = _Capture()
    quiet = [logging.getLogger(name) for name in ("django.request", "shenguan.core.api")]
    for logger in quiet:
        logger.addHandler(capture)
        logger.propagate = False
    failures: list[str] = []
    generated = 0
    started = time.monotonic()
    try:
        for operation in operations:
            for mode, examples in (
                (GenerationMode.POSITIVE, POSITIVE),
                (GenerationMode.NEGATIVE, NEGATIVE),
            ):
                if not examples:
                    continue

                @settings(
                    max_examples=examples,
                    derandomize=True,
                    deadline=None,
                    database=None,
                    phases=[Phase.explicit, Phase.generate],
                    suppress_health_check=list(HealthCheck),
                )
                @given(
                    case=operation.as_strategy(generation_mode=mode), token=st.sampled_from(tokens)
                )
                def run(case, token):
                    nonlocal generated
                    generated += 1
                    capture.records.clear()
                    # each case in its own savepoint, as each request is its own transaction
                    # in production: one failed statement must not abort the rest
                    savepoint = transaction.savepoint()
                    try:
                        response = case.call(headers={"Authorization": f"Bearer {token}"})
                    finally:
                        transaction.savepoint_rollback(savepoint)
                    if response.status_code >= 500:
                        trace = ""
                        for record in capture.records:
                            if record.exc_info and not trace:
                                trace = logging.Formatter().formatException(record.exc_info)
                        failures.append(
                            f"{operation.method.upper()} {operation.path} [{mode.value}] "
                            f"-> {response.status_code}\n  {case.as_curl_command()}\n"
                            f"{trace[-1500:]}"
                        )

                try:
                    run()
                except Exception as exc:  # noqa: BLE001 - unsatisfiable schemas etc.
                    failures.append(
                        f"{operation.method.upper()} {operation.path} [{mode.value}] "
                        f"could not be generated: {type(exc).__name__}: {exc}"
                    )
    finally:
        for logger in quiet:
            logger.removeHandler(capture)
            logger.propagate = True
    elapsed = time.monotonic() - started
    print(
        f"\nschemathesis: {len(operations)} operations, {generated} generated cases, "
        f"{elapsed:.1f} s"
    )
    server_errors = [f for f in failures if "could not be generated" not in f]
    assert not server_errors, "\n\n".join(server_errors)
    assert generated >= len(operations)
