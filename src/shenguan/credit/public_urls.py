"""Public pages of the credit app, mounted at the site root."""

urlpatterns: list = []
