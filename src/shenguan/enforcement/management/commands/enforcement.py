from shenguan.core.commands import ShenguanCommand


class Command(ShenguanCommand):
    help = (
        "Enforcement bureau: `sync-procedures` merges every enforcement power onto its class's "
        "procedure by acting body (合并同类项); `sweep` raises and resolves the legal section's "
        "alerts and ends publications whose period ran out (the worker runs it every 30 min)."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("sync-procedures", help="rebuild the procedure → powers map")
        sub.add_parser(
            "sweep", help="alerts (overdue, single officer, missing evidence), publication expiry"
        )

    def handle(self, *args, action, **options):
        if action == "sync-procedures":
            from shenguan.enforcement.procedures.services import sync_all

            counts = sync_all()
            self.stdout.write(
                "procedures: {added} added, {moved} moved, {removed} removed, "
                "{groups_removed} empty groups removed".format(**counts)
            )
        else:
            from shenguan.enforcement.legal.sweep import sweep

            result = sweep()
            self.stdout.write(
                "alerts: {raised} raised, {resolved} resolved, {open} open; "
                "publications expired: {publications_expired}".format(**result)
            )
