from django.conf import settings

from shenguan import __version__


def shenguan(request):
    from .permissions import roles_of

    user = getattr(request, "user", None)
    return {
        "SHENGUAN_VERSION": __version__,
        "PUBLIC_URL": settings.PUBLIC_URL,
        "user_roles": roles_of(user) if user is not None else set(),
    }
