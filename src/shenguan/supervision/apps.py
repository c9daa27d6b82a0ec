from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SupervisionConfig(AppConfig):
    name = "shenguan.supervision"
    label = "supervision"
    verbose_name = _("部门监管")

    def ready(self):
        from shenguan.portal import badges

        # One colour per state, the same on every page (portal/badges.py).
        badges.register(
            "objection_status",
            {
                "raised": "yellow",
                "routed": "orange",
                "under_review": "blue",
                "upheld": "red",
                "rejected": "secondary",
                "withdrawn": "secondary",
            },
        )
