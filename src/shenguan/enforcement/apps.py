from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EnforcementConfig(AppConfig):
    name = "shenguan.enforcement"
    label = "enforcement"
    verbose_name = _("综合执法")

    def ready(self):
        from shenguan.portal import badges

        # One colour per state, the same on every page (portal/badges.py).
        badges.register(
            "case_status",
            {
                "opened": "blue",
                "investigating": "indigo",
                "proposed": "purple",
                "notified": "azure",
                "hearing_requested": "orange",
                "hearing_scheduled": "orange",
                "heard": "orange",
                "legal_review": "yellow",
                "returned": "pink",
                "reviewed": "lime",
                "decided": "teal",
                "served": "cyan",
                "demanded": "red",
                "court_applied": "red",
                "closed": "green",
                "transferred": "secondary",
            },
        )
        badges.register(
            "inspection_status",
            {
                "planned": "blue",
                "in_progress": "indigo",
                "signing": "yellow",
                "completed": "green",
                "cancelled": "secondary",
            },
        )
        badges.register(
            "inspection_result",
            {
                "compliant": "green",
                "rectify": "orange",
                "violation": "red",
                "not_found": "secondary",
            },
        )
        badges.register(
            "measure_status",
            {"requested": "yellow", "in_force": "red", "refused": "secondary", "released": "green"},
        )
        badges.register("publication_kind", {"licensing": "blue", "penalty": "red"})
        badges.register(
            "alert_kind",
            {"single_officer": "orange", "overdue": "red", "missing_evidence": "yellow"},
        )
