from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OversightConfig(AppConfig):
    name = "shenguan.oversight"
    label = "oversight"
    verbose_name = _("效能监察")

    def ready(self):
        from shenguan.portal import badges

        badges.register("alert_level", {"warning": "yellow", "overdue": "red"})
        badges.register(
            "accountability_status",
            {
                "proposed": "orange",
                "confirmed": "red",
                "dismissed": "secondary",
                "appealed": "purple",
                "upheld": "red",
                "overturned": "green",
            },
        )
