import csv

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import StreamingHttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from network import charts, selectors
from network.dashboard import DEFAULT_MONTHS, can_view_dashboard, dashboard_for


class _Echo:
    def write(self, value):
        return value


def _selection(request):
    if not can_view_dashboard(request.user):
        raise PermissionDenied
    managed = selectors.networks_managed_by(user=request.user)
    network = managed.filter(slug=request.GET.get("network", "")).first()
    try:
        months = int(request.GET.get("months", DEFAULT_MONTHS))
    except ValueError:
        months = DEFAULT_MONTHS
    return managed, network, months


@login_required
def network_dashboard(request):
    managed, network, months = _selection(request)
    board = dashboard_for(user=request.user, network=network, months=months)
    countries = board.countries
    line = charts.line_chart(
        {metric.label: list(metric.by_month.items()) for metric in board.metrics},
        title=_("By month"),
        x_header=_("Month"),
    )
    panels = []
    for metric in board.metrics:
        named = [
            (countries[code].name if code in countries else _("Not stated"), count)
            for code, count in metric.by_country.items()
        ]
        panels.append(
            {
                "metric": metric,
                "bars": charts.bar_chart(named, title=_("%(metric)s by country") % {"metric": metric.label}),
            }
        )
    first = board.metrics[0] if board.metrics else None
    hemisphere = charts.tile_map(
        {code: count for code, count in first.by_country.items() if code} if first else {},
        countries.values(),
        title=_("%(metric)s across the member states") % {"metric": first.label} if first else "",
    )
    return render(
        request,
        "network/dashboard.html",
        {
            "board": board,
            "line": line,
            "panels": panels,
            "hemisphere": hemisphere,
            "networks": managed,
            "network": network,
            "months": len(board.months),
        },
    )


@login_required
def network_dashboard_csv(request):
    _managed, network, months = _selection(request)
    board = dashboard_for(user=request.user, network=network, months=months)
    writer = csv.writer(_Echo())

    def lines():
        yield "\ufeff"
        yield writer.writerow(["metric", "month", "country_code", "country", "count"])
        for key, month, code, count in board.rows:
            country = board.countries.get(code)
            yield writer.writerow(
                [key, month.strftime("%Y-%m"), code, country.name_en if country else "", count]
            )

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    scope = network.slug if network else "all"
    response["Content-Disposition"] = f'attachment; filename="puente-network-dashboard-{scope}.csv"'
    return response
