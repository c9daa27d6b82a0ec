from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VerificationConfig(AppConfig):
    name = "shenguan.verification"
    label = "verification"
    verbose_name = _("批后核查")

    def ready(self):
        from shenguan.portal import badges

        badges.register(
            "push_kind",
            {
                "licence_issued": "blue",
                "tolerance_granted": "cyan",
                "commitment_taken": "indigo",
                "revocation_started": "orange",
                "licence_revoked": "red",
            },
        )
        badges.register(
            "verification_method",
            {
                "on_site": "red",
                "document_review": "blue",
                "sampling_pool": "green",
                "exempt": "secondary",
            },
        )
        badges.register(
            "task_status",
            {
                "open": "blue",
                "rectifying": "yellow",
                "revocation_pending": "orange",
                "closed": "green",
            },
        )
        badges.register(
            "finding_outcome",
            {"compliant": "green", "non_compliant": "yellow", "falsified": "red"},
        )
        badges.register("draw_status", {"drawn": "blue", "published": "green"})
