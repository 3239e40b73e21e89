from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from crm.models import AuditEvent, Membership, Organisation, Role, User


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["organisation"]


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    inlines = [MembershipInline]
    list_display = ["username", "email", "first_name", "last_name", "is_active", "is_staff"]

    def get_queryset(self, request):
        return User.objects.visible_to(request.user)


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "parent", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["parent"]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "organisation", "role", "job_title"]
    list_filter = ["role", "organisation__kind"]
    search_fields = ["user__username", "user__email", "user__last_name", "organisation__name"]
    autocomplete_fields = ["user", "organisation"]
    list_select_related = ["user", "organisation"]

    def get_queryset(self, request):
        # Everyone but a superuser goes through the same door in the admin too.
        return Membership.objects.visible_to(request.user).select_related("user", "organisation")


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ["at", "actor", "action", "summary"]
    list_filter = ["action"]
    search_fields = ["summary", "actor__username"]
    readonly_fields = ["at", "actor", "action", "summary", "details"]

    def has_view_permission(self, request, obj=None):
        # The audit trail is for information governance, not for every administrator.
        return request.user.is_active and request.user.has_role(Role.INFORMATION_GOVERNANCE)

    def has_module_permission(self, request):
        return self.has_view_permission(request)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
