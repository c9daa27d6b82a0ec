"""``shenguan up``: everything a first run needs — migrate, seed the demo if the database has
none, print the demo logins, then serve (``python3 run.py`` ends here)."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError

from shenguan.core.commands import ShenguanCommand
from shenguan.core.permissions import Role
from shenguan.demo.seed import PASSWORD as DEMO_PASSWORD

from .serve import add_server_arguments, serve

LOGINS_PER_ROLE = 3


def has_demo_data() -> bool:
    """The generated parties are the demo's last step: without them, (re)seed — the seeder is
    idempotent, so an interrupted first run is completed."""
    from shenguan.parties.models import Party

    return Party.objects.filter(is_generated=True).exists()


def demo_logins() -> list[tuple[str, str, list[str]]]:
    """(role code, role label, usernames) for every role some active user holds, in role
    order."""
    users = (
        get_user_model()
        .objects.filter(is_active=True, groups__name__in=[r.value for r in Role])
        .values_list("groups__name", "username")
        .order_by("username")
    )
    by_role: dict[str, list[str]] = {}
    for role, username in users:
        by_role.setdefault(role, []).append(username)
    # superusers act as administrators without being in the group (permissions.roles_of)
    for username in (
        get_user_model()
        .objects.filter(is_active=True, is_superuser=True)
        .values_list("username", flat=True)
        .order_by("username")
    ):
        if username not in by_role.get(Role.ADMINISTRATOR.value, []):
            by_role.setdefault(Role.ADMINISTRATOR.value, []).append(username)
    return [
        (role.value, str(role.label), by_role[role.value]) for role in Role if role.value in by_role
    ]


class Command(ShenguanCommand):
    help = (
        "First run: migrate the database, seed the demo when it is empty, print the demo "
        "logins and serve with gunicorn (same options as `serve`)."
    )

    def add_arguments(self, parser):
        add_server_arguments(parser)
        parser.add_argument(
            "--no-demo", action="store_true", help="do not seed the demo into an empty database"
        )
        parser.add_argument(
            "--no-serve", action="store_true", help="prepare the database and stop (no server)"
        )

    def handle(self, *args, bind, workers, threads, timeout, no_demo, no_serve, **options):
        call_command("migrate", interactive=False, verbosity=1, stdout=self.stdout)
        seeded = False
        if not no_demo and not has_demo_data():
            seeded = self.seed_demo()
        if not seeded:  # the demo command prints its own logins
            self.print_logins()
        if not no_serve:
            serve(self.stdout, bind=bind, workers=workers, threads=threads, timeout=timeout)

    def seed_demo(self) -> bool:
        """Run ``shenguan demo``; False when this version has no such command."""
        self.stdout.write("the database has no demo data yet: seeding it (`shenguan demo`)")
        try:
            call_command("demo", stdout=self.stdout, stderr=self.stderr)
        except CommandError as exc:
            if "Unknown command" not in str(exc):
                raise
            self.stderr.write(
                self.style.WARNING(
                    "warning: the `demo` command is not available in this version; "
                    "starting with an empty database"
                )
            )
            return False
        return True

    def print_logins(self) -> None:
        logins = demo_logins()
        if not logins:
            self.stdout.write("no user accounts yet: create one with `shenguan createsuperuser`")
            return
        self.stdout.write(self.style.SUCCESS(f"demo logins (password: {DEMO_PASSWORD}):"))
        for code, label, usernames in logins:
            shown = ", ".join(usernames[:LOGINS_PER_ROLE])
            more = len(usernames) - LOGINS_PER_ROLE
            suffix = f" (+{more} more)" if more > 0 else ""
            # the code pads evenly in a terminal; the Chinese label follows for the reader
            self.stdout.write(f"  {code:<22} {shown}{suffix}  [{label}]")
