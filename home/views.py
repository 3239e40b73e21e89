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
    """Following a "new since I last looked" item: note the time, then go to the list it names. A GET, as
    it is a link in the work queue; it only moves the person's own marker, so a forged visit changes nothing else."""

    def get(self, request, kind):
        target = request.GET.get("next", "")
        if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
            raise Http404
        LastLooked.objects.update_or_create(user=request.user, kind=kind[:60], defaults={"at": timezone.now()})
        return redirect(target)
