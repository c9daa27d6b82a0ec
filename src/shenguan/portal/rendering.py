"""Rendering of list pages: the whole page for a browser, only the results block for htmx.

A filter form submits normally without JavaScript; with htmx it fetches the same URL and swaps
the results in place (``hx-select`` picks the block out of either response)."""

from __future__ import annotations

from django.shortcuts import render
from django.utils.cache import patch_vary_headers


def wants_partial(request) -> bool:
    # A history restore needs the whole page even though htmx sends it.
    return bool(
        request.headers.get("HX-Request") and not request.headers.get("HX-History-Restore-Request")
    )


def render_list(request, template: str, partial: str, context: dict):
    response = render(request, partial if wants_partial(request) else template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response
