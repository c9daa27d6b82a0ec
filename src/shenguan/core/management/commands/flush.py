"""``flush`` that also empties the append-only journal: the triggers are lifted for the wipe
and restored at once. Django's test cases call flush between transactional tests."""

from django.core.management.commands.flush import Command as FlushCommand

from shenguan.core.triggers import journal_triggers_lifted


class Command(FlushCommand):
    def handle(self, **options):
        with journal_triggers_lifted(options.get("database", "default")):
            return super().handle(**options)
