"""A small structural check of GeoJSON boundaries (Polygon / MultiPolygon, or a Feature of one)."""

from __future__ import annotations


def _check_ring(ring) -> None:
    if not isinstance(ring, list) or len(ring) < 4:
        raise ValueError("a polygon ring needs at least four positions")
    for pos in ring:
        if (
            not isinstance(pos, list)
            or len(pos) < 2
            or not all(isinstance(c, int | float) for c in pos[:2])
        ):
            raise ValueError("a position is [longitude, latitude]")
        lon, lat = pos[0], pos[1]
        if not (-180 <= lon <= 180 and -90 <= lat <= 90):
            raise ValueError("longitude/latitude out of range")
    if ring[0][:2] != ring[-1][:2]:
        raise ValueError("a polygon ring must be closed (first position = last)")


def validate_geojson(value) -> None:
    if not isinstance(value, dict):
        raise ValueError("GeoJSON must be an object")
    kind = value.get("type")
    if kind == "Feature":
        validate_geojson(value.get("geometry"))
        return
    coords = value.get("coordinates")
    if kind == "Polygon":
        if not isinstance(coords, list) or not coords:
            raise ValueError("a Polygon needs coordinates")
        for ring in coords:
            _check_ring(ring)
    elif kind == "MultiPolygon":
        if not isinstance(coords, list) or not coords:
            raise ValueError("a MultiPolygon needs coordinates")
        for poly in coords:
            for ring in poly:
                _check_ring(ring)
    else:
        raise ValueError("boundary must be a Polygon, MultiPolygon or a Feature of one")
