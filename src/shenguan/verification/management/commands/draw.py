"""``shenguan draw replay <id|number>``: recompute a double-random draw from its stored seed
and inputs and say whether it matches the stored result (and the journal) exactly; exit 1 if
not. ``shenguan draw [--as <username>] make --size N``: make a draw (as that user, or as the
system)."""

from __future__ import annotations

from django.core.management.base import CommandError

from shenguan.core.commands import ShenguanCommand


class Command(ShenguanCommand):
    help = "Double-random draws: replay (reproduce and check) or make one."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        replay = sub.add_parser("replay", help="recompute a draw and compare with the record")
        replay.add_argument("draw", help="the draw's id or number (e.g. SJ2026000001)")
        make = sub.add_parser("make", help="draw targets and inspectors from the directory")
        make.add_argument("--size", type=int, required=True)
        make.add_argument("--inspectors-per-target", type=int, default=2)
        make.add_argument("--squad", type=int, action="append", dest="squads", default=[])
        make.add_argument("--seed", default=None)
        make.add_argument("--note", default="")

    def handle(self, *args, **options):
        from shenguan.core.context import current_actor
        from shenguan.verification import services

        if options["action"] == "make":
            user = current_actor().resolved_user
            draw = services.make_draw(
                size=options["size"],
                inspectors_per_target=options["inspectors_per_target"],
                squad_ids=options["squads"] or None,
                seed=options["seed"],
                note=options["note"],
                user=user,
            )
            self.stdout.write(
                f"{draw.number} (id {draw.pk}): {len(draw.result['targets'])} targets"
            )
            return
        result = services.replay(options["draw"])
        draw = result.draw
        self.stdout.write(f"draw {draw.number} (id {draw.pk}), algorithm {draw.algorithm}")
        for check in result.checks:
            mark = "OK  " if check.ok else "FAIL"
            self.stdout.write(f"  {mark} {check.name}: {check.detail}")
        if not result.ok:
            raise CommandError(f"draw {draw.number} does NOT reproduce: the record was altered")
        self.stdout.write(self.style.SUCCESS(f"draw {draw.number} reproduces exactly"))
