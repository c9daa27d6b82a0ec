"""Public pages of the verification app, mounted at the site root."""

urlpatterns: list = []
