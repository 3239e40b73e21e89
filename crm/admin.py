"""The admin, for administrators who are not superusers: the same door as the pages.

Reads start from visible_to; choices of organisation are limited to the administrator's
own; nobody but a superuser can grant superuser status, groups or permissions."""
from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import AutocompleteSelect
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import ValidationError

from organisations import audit
from crm.services.engagements import engagement_rule_errors
from organisations.models import AuditEvent, Membership, Organisation, User
from access.roles import Role
from access.visibility import can_see_everything, visible_organisation_ids

PRIVILEGE_FIELDS = ("is_superuser", "groups", "user_permissions")


def organisations_for(user):
    """The organisations an administrator may put people in or change."""
    if can_see_everything(user):
        return Organisation.objects.all()
    return Organisation.objects.filter(pk__in=visible_organisation_ids(user))


class OwnOrganisationChoicesMixin:
    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "organisation":
            kwargs["queryset"] = organisations_for(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class ValidatedAutocompleteSelect(AutocompleteSelect):
    """Django's autocomplete widget looks up the posted value to redisplay it; a value that is not an id
    (posted by hand) makes that lookup raise. Only well-formed ids are looked up; the form itself then says
    the choice is not valid."""

    def optgroups(self, name, value, attr=None):
        target = self.field.remote_field.model._meta.get_field(self.field.remote_field.field_name)
        well_formed = []
        for item in value:
            try:
                target.to_python(item)
            except ValidationError:
                continue
            well_formed.append(item)
        return super().optgroups(name, well_formed, attr)


class ValidatedAutocompleteMixin:
    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = ValidatedAutocompleteSelect(db_field, self.admin_site, using=kwargs.get("using"))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


def audit_membership_saved(request, membership: Membership, *, created: bool) -> None:
    audit.record(
        actor=request.user, organisation=membership.organisation,
        action="membership.granted" if created else "membership.changed",
        summary=f"{membership.user.get_username()} is {membership.get_role_display()} in {membership.organisation.name} (by the admin)",
        membership_id=membership.pk, user_id=membership.user_id, organisation_id=membership.organisation_id, role=membership.role,
    )


class MembershipInline(OwnOrganisationChoicesMixin, admin.TabularInline):
    model = Membership
    extra = 0

    def get_queryset(self, request):
        return Membership.objects.visible_to(request.user).select_related("organisation")


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    inlines = [MembershipInline]
    list_display = ["username", "email", "first_name", "last_name", "is_active", "is_staff"]

    def get_queryset(self, request):
        return User.objects.visible_to(request.user)

    def get_readonly_fields(self, request, obj=None):
        readonly = super().get_readonly_fields(request, obj)
        if request.user.is_superuser:
            return readonly
        return (*readonly, *PRIVILEGE_FIELDS)

    def save_formset(self, request, form, formset, change):
        saved = formset.save(commit=False)
        for membership in saved:
            created = membership.pk is None
            membership.full_clean()
            membership.save()
            audit_membership_saved(request, membership, created=created)
        for membership in formset.deleted_objects:
            audit.record(actor=request.user, organisation=membership.organisation, action="membership.removed",
                         summary=f"{membership.user.get_username()} is no longer {membership.get_role_display()} in {membership.organisation.name}")
            membership.delete()
        formset.save_m2m()


@admin.register(Organisation)
class OrganisationAdmin(ValidatedAutocompleteMixin, admin.ModelAdmin):
    list_display = ["name", "kind", "parent", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["parent"]

    # The directory of organisations is open to read; only their own people change them.
    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or organisations_for(request.user).filter(pk=obj.pk).exists())

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser


@admin.register(Membership)
class MembershipAdmin(ValidatedAutocompleteMixin, OwnOrganisationChoicesMixin, admin.ModelAdmin):
    list_display = ["user", "organisation", "role", "job_title"]
    list_filter = ["role", "organisation__kind"]
    search_fields = ["user__username", "user__email", "user__last_name", "organisation__name"]
    autocomplete_fields = ["user"]
    list_select_related = ["user", "organisation"]

    def get_queryset(self, request):
        # Everyone but a superuser goes through the same door in the admin too.
        return Membership.objects.visible_to(request.user).select_related("user", "organisation")

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        audit_membership_saved(request, obj, created=not change)


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ["at", "organisation", "actor", "action", "summary"]
    list_filter = ["action"]
    search_fields = ["summary", "actor__username"]
    readonly_fields = ["at", "organisation", "actor", "action", "summary", "details"]
    list_select_related = ["organisation", "actor"]

    def get_queryset(self, request):
        return AuditEvent.objects.visible_to(request.user)

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


# The CRM's records. Every admin reads through visible_to and offers only the user's own organisations.
from crm.models import (  # noqa: E402
    AdvisoryAdvice, AdvisoryGroup, AdvisoryMembership, CommunityGroup, Contact, DoorstepVisit, Engagement, EngagementIssue,
    IssueCategory, PartnerContact, Priority, PriorityAction, Questionnaire, QuestionnaireQuestion, UnderRepresentedGroup,
)


def visible_choices(model, user):
    """What a related-record choice may offer: visible_to for organisation-owned records and
    people, everything for the vocabularies and public geography (which have no visible_to)."""
    queryset = model._default_manager.all()
    return queryset.visible_to(user) if hasattr(queryset, "visible_to") else queryset


class VisibleChoicesMixin(OwnOrganisationChoicesMixin):
    """Select boxes, raw-id fields and filter_horizontal offer and accept only what the user may see."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name != "organisation":
            kwargs["queryset"] = visible_choices(db_field.related_model, request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        kwargs["queryset"] = visible_choices(db_field.related_model, request.user)
        return super().formfield_for_manytomany(db_field, request, **kwargs)


class OwnedRecordAdmin(VisibleChoicesMixin, admin.ModelAdmin):
    readonly_fields = ["created_by", "created_at", "updated_at"]

    def get_queryset(self, request):
        return self.model.objects.visible_to(request.user)

    # Records shared with the user's organisation are read-only, here as on the pages.
    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or self.model.objects.editable_by(request.user).filter(pk=obj.pk).exists())

    def has_delete_permission(self, request, obj=None):
        allowed = super().has_delete_permission(request, obj)
        return allowed and (obj is None or self.model.objects.editable_by(request.user).filter(pk=obj.pk).exists())

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)


class ChildInline(VisibleChoicesMixin, admin.TabularInline):
    extra = 0

    # `obj` is the parent: a shared parent's children are read-only too.
    def _parent_is_own(self, request, obj) -> bool:
        return obj is None or type(obj).objects.editable_by(request.user).filter(pk=obj.pk).exists()

    def has_add_permission(self, request, obj=None):
        return super().has_add_permission(request, obj) and self._parent_is_own(request, obj)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self._parent_is_own(request, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and self._parent_is_own(request, obj)

    def get_queryset(self, request):
        return self.model.objects.visible_to(request.user)


@admin.register(UnderRepresentedGroup)
class UnderRepresentedGroupAdmin(admin.ModelAdmin):
    list_display = ["name", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["name", "description"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(IssueCategory)
class IssueCategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "police_uk_category", "is_active"]
    list_filter = ["is_active", "police_uk_category"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Contact)
class ContactAdmin(OwnedRecordAdmin):
    list_display = ["last_name", "first_name", "email", "organisation", "lawful_basis", "retain_until"]
    list_filter = ["lawful_basis", "preferred_channel", "communities", "organisation"]
    search_fields = ["first_name", "last_name", "email", "postcode"]
    filter_horizontal = ["communities", "groups"]
    list_select_related = ["organisation"]


@admin.register(PartnerContact)
class PartnerContactAdmin(OwnedRecordAdmin):
    list_display = ["name", "role", "partner_organisation", "organisation"]
    list_filter = ["partner_organisation__kind"]
    search_fields = ["name", "role", "partner_organisation__name", "email"]
    filter_horizontal = ["neighbourhoods", "small_areas"]
    list_select_related = ["partner_organisation", "organisation"]


@admin.register(CommunityGroup)
class CommunityGroupAdmin(OwnedRecordAdmin):
    list_display = ["name", "kind", "is_registered", "police_support", "organisation"]
    list_filter = ["kind", "is_registered", "police_support", "communities"]
    search_fields = ["name", "charity_number", "meeting_place"]
    filter_horizontal = ["neighbourhoods", "communities", "key_contacts"]
    list_select_related = ["organisation"]


class AdvisoryMembershipInline(ChildInline):
    model = AdvisoryMembership
    raw_id_fields = ["contact"]


@admin.register(AdvisoryGroup)
class AdvisoryGroupAdmin(OwnedRecordAdmin):
    list_display = ["name", "kind", "organisation"]
    list_filter = ["kind"]
    search_fields = ["name", "description"]
    filter_horizontal = ["neighbourhoods"]
    inlines = [AdvisoryMembershipInline]
    list_select_related = ["organisation"]


@admin.register(AdvisoryAdvice)
class AdvisoryAdviceAdmin(OwnedRecordAdmin):
    list_display = ["policy", "advisory_group", "given_on", "response", "responded_on"]
    list_filter = ["response", ("advisory_group", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["policy", "advice", "force_response"]
    list_select_related = ["advisory_group"]
    raw_id_fields = ["consultation"]


class EngagementIssueInline(ChildInline):
    model = EngagementIssue


class DoorstepVisitInline(ChildInline):
    model = DoorstepVisit


class EngagementAdminForm(forms.ModelForm):
    """The admin keeps the same cross-record rules as the pages (services.engagement_rule_errors)."""

    online_link = forms.URLField(required=False, assume_scheme="https")

    class Meta:
        model = Engagement
        fields = "__all__"

    def clean(self):
        cleaned = super().clean()
        probe = Engagement(
            kind=cleaned.get("kind"), location=cleaned.get("location"), neighbourhood=cleaned.get("neighbourhood"),
            organisation=cleaned.get("organisation"),
        )
        errors = engagement_rule_errors(engagement=probe, officers=cleaned.get("officers") or [])
        for field, message in errors.items():
            self.add_error(field if field in self.fields else None, message)
        if not errors and probe.neighbourhood_id:
            cleaned["neighbourhood"] = probe.neighbourhood  # found from the location
        return cleaned


@admin.register(Engagement)
class EngagementAdmin(OwnedRecordAdmin):
    form = EngagementAdminForm
    list_display = ["title", "kind", "status", "starts_at", "neighbourhood", "turnout", "organisation"]
    list_filter = ["kind", "status", "venue_kind", "objectives_met", "neighbourhood"]
    search_fields = ["title", "venue_name", "objectives", "notes"]
    date_hierarchy = "starts_at"
    filter_horizontal = ["officers", "partners", "groups_reached"]
    inlines = [EngagementIssueInline, DoorstepVisitInline]
    list_select_related = ["neighbourhood", "organisation"]
    raw_id_fields = ["advisory_group", "questionnaire"]


class QuestionInline(ChildInline):
    model = QuestionnaireQuestion


@admin.register(Questionnaire)
class QuestionnaireAdmin(OwnedRecordAdmin):
    list_display = ["name", "is_active", "organisation"]
    list_filter = ["is_active"]
    search_fields = ["name", "questions__text"]
    inlines = [QuestionInline]


class PriorityActionInline(ChildInline):
    model = PriorityAction


@admin.register(Priority)
class PriorityAdmin(OwnedRecordAdmin):
    list_display = ["category", "neighbourhood", "issue_date", "status", "organisation"]
    list_filter = ["status", "category", "neighbourhood"]
    search_fields = ["issue"]
    date_hierarchy = "issue_date"
    inlines = [PriorityActionInline]
    list_select_related = ["category", "neighbourhood", "organisation"]
    raw_id_fields = ["agreed_at"]
    filter_horizontal = ["raised_issues"]
