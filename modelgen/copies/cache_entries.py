"""The shapes of check-copies' cache entries: an entry that does not have its shape is dropped, not used."""

from __future__ import annotations

from typing import Any

from modelgen.json_shapes import dataclass_matches, matches


def markers_entry(value: Any) -> bool:
    """`markers:<hash>`: the file's outermost markers, as `Marker.to_json()` wrote them."""
    from modelgen.copies.markers import Marker

    return isinstance(value, list) and all(dataclass_matches(item, Marker) for item in value)


def result_entry(value: Any) -> bool:
    """`result:<hash>`: one record per marker, as `CopyChecker._record()` wrote them."""
    from modelgen.copies.checker import Finding

    def record(item: Any) -> bool:
        return (
            isinstance(item, dict)
            and item.keys() == {"line", "kind", "finding", "notes"}
            and matches(item["line"], int)
            and isinstance(item["kind"], str)
            and (item["finding"] is None or dataclass_matches(item["finding"], Finding))
            and isinstance(item["notes"], list)
            and all(dataclass_matches(note, Finding) for note in item["notes"])
        )

    return isinstance(value, list) and all(map(record, value))
