from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import View
from django.views.generic import TemplateView

from home.attention import COUNT_CAP, items_for
from home.models import LastLooked


class HomeView(LoginRequiredMixin, TemplateView):
    """Each role's work queue: what needs doing, each item linking to where it is done."""

    template_name = "home/home.html"

    def get_context_data(self, **kwargs):
        items = items_for(self.request.user)
        return super().get_context_data(
            waiting=[item for item in items if item["count"]], clear=[item for item in items if not item["count"]],
            count_cap=COUNT_CAP, **kwargs,
        )


class LookView(LoginRequiredMixin, View):
    """Following a "new since I last looked" item: note the time, then go to the list it names.

    Kept a GET on purpose (issue 14 review): following the link *is* looking, as opening a message in a mail client
    marks it read. It moves only the person's own marker, which changes nothing anyone else sees, and the person
    lands on the very list the marker is about. What a GET must not allow is another site moving the marker (a
    forged link that would quietly empty someone's "new concerns" count), so the marker moves only on a visit from
    the hub itself or typed in: a browser says so in Sec-Fetch-Site. A cross-site visit is still taken to the list,
    but the marker stays where it was."""

    MOVES_THE_MARKER = {"same-origin", "none", ""}  # "" : a client that does not send the header (no browser today)

    def get(self, request, kind):
        target = request.GET.get("next", "")
        if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
            raise Http404
        if request.headers.get("Sec-Fetch-Site", "") in self.MOVES_THE_MARKER:
            LastLooked.objects.update_or_create(user=request.user, kind=kind[:60], defaults={"at": timezone.now()})
        return redirect(target)
