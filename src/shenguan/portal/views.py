from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render

from shenguan.catalog.models import Power


def home(request):
    return render(request, "portal/home.html", {})


def healthz(request):
    with connection.cursor() as cur:
        cur.execute("SELECT 1")
    return JsonResponse({"status": "ok", "database": connection.vendor})


def catalog_list(request):
    powers = Power.objects.restrict(request.user, "view").select_related("department")[:100]
    return render(request, "portal/catalog.html", {"powers": powers})
