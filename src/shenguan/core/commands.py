"""Base class for our management commands: every run acts as ``command:<name>`` (or as the
user named by ``--as``) with its own command id, so what it changes is journalled as such;
domain errors end it with a message and a non-zero exit."""

from __future__ import annotations

import uuid

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import InterfaceError, InternalError, OperationalError

from .context import acting_as
from .errors import DomainError


class ShenguanCommand(BaseCommand):
    def create_parser(self, prog_name, subcommand, **kwargs):
        parser = super().create_parser(prog_name, subcommand, **kwargs)
        parser.add_argument(
            "--as",
            dest="acting_user",
            default="",
            help="username to record in the journal as the actor (default: the command itself)",
        )
        return parser

    def execute(self, *args, **options):
        username = options.get("acting_user") or ""
        user = None
        if username:
            user = get_user_model().objects.filter(username=username).first()
            if user is None:
                raise CommandError(f"no user named {username!r}")
        name = self.__module__.rsplit(".", 1)[-1]
        with acting_as(
            user,
            source="command",
            request_id=f"cmd-{uuid.uuid4().hex[:20]}",
            name="" if user else f"command:{name}",
        ):
            try:
                return super().execute(*args, **options)
            except DomainError as exc:
                raise CommandError(exc.message)
            except (OperationalError, InterfaceError, InternalError) as exc:
                # a lost connection, a read-only database or a full disk: say it plainly
                raise CommandError(f"database unavailable, nothing was changed: {exc}")
