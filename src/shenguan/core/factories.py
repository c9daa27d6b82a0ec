"""Factories for users and roles; each app has its own ``factories.py``. The demo seeder uses
the same factories, so demo data and test data obey the same rules."""

from __future__ import annotations

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from .permissions import Role


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Sequence(lambda n: f"用户{n}")
    password = factory.django.Password("Shenguan-demo-2026")
    is_active = True


def make_user(*roles: str, staff: bool = False, department=None, section=None, **fields):
    """A user in the given role groups; with ``staff=True`` (or a department/section given)
    also a Staff record linked to it."""
    user = UserFactory(**fields)
    for role in roles:
        Role(role)  # refuse unknown role names early
        group, _ = Group.objects.get_or_create(name=role)
        user.groups.add(group)
    if staff or department is not None or section is not None:
        from shenguan.org.factories import StaffFactory

        kwargs = {"user": user, "name": user.first_name or user.username}
        if section is not None:
            kwargs["section"] = section
            kwargs["department"] = section.department
        elif department is not None:
            kwargs["department"] = department
        StaffFactory(**kwargs)
    from .permissions import forget_scope

    forget_scope(user)
    return user
