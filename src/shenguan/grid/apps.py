from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GridConfig(AppConfig):
    name = "shenguan.grid"
    label = "grid"
    verbose_name = _("网格化管理")

    def ready(self):
        from shenguan.portal import badges

        badges.register(
            "grid_status",
            {
                "reported": "orange",
                "routed": "blue",
                "accepted": "azure",
                "closed": "green",
                "confirmed": "teal",
            },
        )
        badges.register(
            "grid_category",
            {
                "hazard": "red",
                "unlicensed_operation": "purple",
                "complaint": "yellow",
                "help_request": "cyan",
            },
        )
