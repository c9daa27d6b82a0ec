"""The journal (审计日志) as a page for the command centre, bureau heads and administrators."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from shenguan.core.models import JournalEntry

from .access import journal_required
from .forms import JournalFilterForm
from .queries import paginate
from .rendering import render_list


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


@journal_required
def journal_list(request):
    entries = JournalEntry.objects.restrict(request.user, "view")
    object_types = entries.order_by("object_type").values_list("object_type", flat=True).distinct()
    form = JournalFilterForm(request.GET, object_types=[t for t in object_types if t])
    if action := form.value("action"):
        # a trailing dot or a bare app name lists a whole family (``parties.`` → every party
        # change); a full action name matches exactly
        entries = (
            entries.filter(action=action)
            if action.count(".") >= 2 and not action.endswith(".")
            else entries.filter(action__startswith=action)
        )
    if object_type := form.value("object_type"):
        entries = entries.filter(object_type=object_type)
    if object_id := form.value("object_id"):
        entries = entries.filter(object_id=object_id)
    if actor := form.value("actor"):
        entries = entries.filter(actor_name__icontains=actor)
    if source := form.value("source"):
        entries = entries.filter(source=source)
    if request_id := form.value("request_id"):
        entries = entries.filter(request_id=request_id)
    if start := form.value("date_from"):
        entries = entries.filter(time__gte=_day_start(start))
    if end := form.value("date_to"):
        entries = entries.filter(time__lt=_day_start(end + dt.timedelta(days=1)))
    page = paginate(request, entries.order_by("-seq"))
    return render_list(
        request,
        "portal/journal/list.html",
        "portal/journal/_results.html",
        {"form": form, "page": page},
    )
