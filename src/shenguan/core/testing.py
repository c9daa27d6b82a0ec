"""Test helpers (kept in the package so that every app's tests and the benches share them)."""

from __future__ import annotations

import json

from django.test import Client


class ApiClientHelper:
    """Wraps a Django test ``Client``: ``api.get("/api/...")`` returns (status, json)."""

    def __init__(self, client: Client):
        self.client = client
        self.headers: dict[str, str] = {}

    def login(self, user) -> ApiClientHelper:
        self.client.force_login(user)
        return self

    def token(self, token: str) -> ApiClientHelper:
        self.headers["Authorization"] = f"Bearer {token}"
        return self

    def _do(self, method: str, path: str, data=None, **headers):
        kwargs = {"headers": {**self.headers, **headers}}
        if data is not None:
            kwargs["data"] = json.dumps(data)
            kwargs["content_type"] = "application/json"
        response = getattr(self.client, method)(path, **kwargs)
        try:
            body = response.json()
        except ValueError:
            body = response.content
        return response.status_code, body

    def get(self, path: str, **headers):
        return self._do("get", path, **headers)

    def post(self, path: str, data=None, **headers):
        return self._do("post", path, data if data is not None else {}, **headers)

    def patch(self, path: str, data=None, **headers):
        return self._do("patch", path, data if data is not None else {}, **headers)

    def put(self, path: str, data=None, **headers):
        return self._do("put", path, data if data is not None else {}, **headers)

    def delete(self, path: str, **headers):
        return self._do("delete", path, **headers)
