"""Registration on the applicant portal: a login with the applicant role and the enterprise
or person it acts for (``services.registration.register_applicant``), then straight in."""

from __future__ import annotations

from django.contrib.auth import login
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from ..forms import RegistrationForm
from ..services.registration import register_applicant
from .common import perform


@require_http_methods(["GET", "POST"])
def register(request):
    if request.user.is_authenticated:
        return redirect("apply:home")
    status = 200
    if request.method == "POST":
        form = RegistrationForm(request.POST)
        outcome = perform(
            request,
            form,
            lambda d: register_applicant(
                username=d["username"],
                password=d["password1"],
                kind=d["kind"],
                name=d["name"],
                uscc=d["uscc"] if d["kind"] == "enterprise" else "",
                id_number=d["id_number"] if d["kind"] == "individual" else "",
                legal_representative=d["legal_representative"],
                contact_name=d["contact_name"],
                phone=d["phone"],
            ),
            _("注册成功，您已登录。现在可以在线申请审批事项。"),
        )
        if outcome.ok:
            user, _party = outcome.result
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            return redirect("apply:home")
        status = outcome.status
    else:
        form = RegistrationForm()
    return render(request, "approvals/apply/register.html", {"form": form}, status=status)
