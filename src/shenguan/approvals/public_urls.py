"""Public pages of the approvals app mounted at the site root (e.g. /verify/<number>)."""

urlpatterns: list = []
