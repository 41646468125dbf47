"""/search/: the site search page (the gathering is in `network.search`)."""

from django.shortcuts import render
from django.utils.http import urlencode

from network import search


def _url(params: dict) -> str:
    return "?" + urlencode({key: value for key, value in params.items() if value})


def site_search(request):
    results = search.site_search(
        user=request.user, query=request.GET.get("q", ""), params=request.GET, page=request.GET.get("page")
    )
    current = {"q": results.query, "kind": results.kind, **results.filters}
    for entry in results.providers:
        entry.url = _url({"q": results.query, "kind": entry.provider.key})
        for facet in entry.facets:
            for value in facet.values:
                chosen = {
                    **current,
                    "kind": entry.provider.key,
                    facet.key: "" if value.selected else value.value,
                }
                value.url = _url(chosen)
    context = {
        "results": results,
        "clear_url": _url({"q": results.query}),
        "previous_url": _url({**current, "page": results.number - 1}) if results.has_previous else "",
        "next_url": _url({**current, "page": results.number + 1}) if results.has_next else "",
        "suggestion_urls": [(text, _url({"q": text})) for text in results.suggestions],
    }
    return render(request, "network/search.html", context)
