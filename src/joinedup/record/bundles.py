"""The Bundles the API answers with: searchset (with paging links) and history.

Why: search results, `$everything` and `_history` are all Bundles whose shape R4 fixes
(http://hl7.org/fhir/R4/bundle.html, search.html#paging): `fullUrl` for every entry, the search
mode (`match`, `include`, `outcome`), `total`, and `self`/`first`/`previous`/`next` links a
client follows without knowing how the server pages (here by `_offset`).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from joinedup.record.outcome import Issue, operation_outcome
from joinedup.record.search import SearchResult
from joinedup.record.store import Stored, instant


def searchset(base: str, path: str, result: SearchResult) -> dict[str, Any]:
    query = [(k, v) for k, v in result.used if k not in ("_count", "_offset")]

    def link(relation: str, offset: int) -> dict[str, str]:
        params = [*query, ("_count", str(result.count)), ("_offset", str(max(offset, 0)))]
        return {"relation": relation, "url": f"{base}/{path}?{urlencode(params)}"}

    links = [link("self", result.offset), link("first", 0)]
    if result.offset > 0:
        links.append(link("previous", result.offset - result.count))
    more = (result.total is None and len(result.matches) == result.count) or (
        result.total is not None and result.offset + result.count < result.total)
    if more and result.count > 0:
        links.append(link("next", result.offset + result.count))
    entries = [_entry(base, s, "match") for s in result.matches]
    entries += [_entry(base, s, "include") for s in result.included]
    if result.ignored:
        outcome = operation_outcome([Issue("not-supported", "search parameters ignored: "
                                           + ", ".join(result.ignored), severity="warning")])
        entries.append({"resource": outcome, "search": {"mode": "outcome"}})
    bundle: dict[str, Any] = {"resourceType": "Bundle", "type": "searchset", "link": links,
                              "entry": entries}
    if result.total is not None:
        bundle["total"] = result.total
    if not entries:
        del bundle["entry"]
    return bundle


def collection(base: str, items: list[Stored]) -> dict[str, Any]:
    """A searchset of everything listed (Patient/$everything), all as matches."""
    bundle: dict[str, Any] = {"resourceType": "Bundle", "type": "searchset", "total": len(items),
                              "entry": [_entry(base, s, "match") for s in items]}
    return bundle


def history(base: str, path: str, versions: list[Stored], total: int, count: int,
            offset: int) -> dict[str, Any]:
    links = [{"relation": "self", "url": f"{base}/{path}?_count={count}&_offset={offset}"}]
    if offset + count < total:
        links.append({"relation": "next",
                      "url": f"{base}/{path}?_count={count}&_offset={offset + count}"})
    entries = []
    for stored in versions:
        created = stored.method == "create"
        entries.append({
            "fullUrl": f"{base}/{stored.type}/{stored.id}", "resource": stored.content,
            "request": {"method": "POST" if created else "PUT",
                        "url": stored.type if created else f"{stored.type}/{stored.id}"},
            "response": {"status": "201 Created" if created else "200 OK",
                         "etag": stored.etag, "lastModified": instant(stored.last_updated)}})
    bundle: dict[str, Any] = {"resourceType": "Bundle", "type": "history", "total": total,
                              "link": links, "entry": entries}
    if not entries:
        del bundle["entry"]
    return bundle


def _entry(base: str, stored: Stored, mode: str) -> dict[str, Any]:
    return {"fullUrl": f"{base}/{stored.type}/{stored.id}", "resource": stored.content,
            "search": {"mode": mode}}
