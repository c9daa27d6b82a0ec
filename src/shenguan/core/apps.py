from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def ensure_role_groups(sender, using="default", **kwargs):
    """Every role is a group; created after migrate and after flush."""
    from django.contrib.auth.models import Group

    from .permissions import Role

    for role in Role:
        Group.objects.using(using).get_or_create(name=role.value)


class CoreConfig(AppConfig):
    name = "shenguan.core"
    label = "core"
    verbose_name = _("基础")

    def ready(self):
        post_migrate.connect(ensure_role_groups, sender=self)
