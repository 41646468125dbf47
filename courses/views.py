"""Placeholder views (helper C2 replaces this file)."""

from django.http import Http404, HttpResponse


def catalogue(request):
    return HttpResponse("courses")


def verify_certificate(request, code):
    raise Http404
