"""The hub's notifications: the list (read and unread), opening one, the email choices, and unsubscribing from a link."""
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core import signing
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.csrf import csrf_exempt
from django.views.generic import FormView, ListView, TemplateView

from notifications import services
from notifications.forms import PreferencesForm
from notifications.models import Delivery, Kind, Notification, Preference


class NotificationListView(LoginRequiredMixin, ListView):
    template_name = "notifications/list.html"
    context_object_name = "notifications"
    paginate_by = 25

    def get_queryset(self):
        notifications = Notification.objects.filter(recipient=self.request.user)
        return notifications.filter(read_at__isnull=True) if self.request.GET.get("show") == "unread" else notifications

    def get_context_data(self, **kwargs):
        return super().get_context_data(showing_unread=self.request.GET.get("show") == "unread", **kwargs)


class NotificationOpenView(LoginRequiredMixin, View):
    """Opening a notification marks it read and goes to where the matter is dealt with."""

    def post(self, request, pk):
        notification = get_object_or_404(Notification, pk=pk, recipient=request.user)
        services.mark_read(user=request.user, notification_ids=[notification.pk])
        return redirect(notification.url or "notifications:list")


class MarkAllReadView(LoginRequiredMixin, View):
    def post(self, request):
        count = services.mark_read(user=request.user)
        messages.success(request, f"{count} notification{'s' if count != 1 else ''} marked as read.")
        return redirect("notifications:list")


class PreferencesView(LoginRequiredMixin, FormView):
    template_name = "notifications/settings.html"

    def get_form(self, form_class=None):
        current = dict(Preference.objects.filter(user=self.request.user).values_list("kind", "delivery"))
        return PreferencesForm(self.request.POST or None, current=current)

    def form_valid(self, form):
        for kind, delivery in form.cleaned_data.items():
            services.preference_set(user=self.request.user, kind=kind, delivery=delivery)
        messages.success(self.request, "Your email choices are saved.")
        return redirect("notifications:settings")


@method_decorator(csrf_exempt, name="dispatch")  # a mail client's one-click POST (RFC 8058) carries no CSRF token
class UnsubscribeView(TemplateView):
    """From an email's link, signed in or not: the signed token names the person and the kind."""

    template_name = "notifications/unsubscribe.html"

    def dispatch(self, request, *args, **kwargs):
        try:
            self.user, self.kind = services.unsubscribe_from_token(kwargs["token"])
        except signing.BadSignature:
            raise Http404("This unsubscribe link is not valid.") from None
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(kind_label=Kind(self.kind).label, done=False, **kwargs)

    def post(self, request, *args, **kwargs):
        services.preference_set(user=self.user, kind=self.kind, delivery=Delivery.OFF)
        return self.render_to_response(self.get_context_data() | {"done": True})
