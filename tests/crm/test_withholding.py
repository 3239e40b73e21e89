"""Personal fields withheld by PostgreSQL (access/withholding.py): what comes back from the database is already blank."""
import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.db.models import Count, Exists, F, Max, OuterRef, Subquery, Value, Window
from django.db.models.functions import Concat, Lower, RowNumber, Upper

from access import grant_settings
from access.grants import grants_for
from crm.models import Contact
from partners.models import Concern
from sharing_protocols.models import Classification
from tests.factories import ConcernFactory, ContactFactory
from tests.sharing_protocols.conftest import publish_protocol

pytestmark = pytest.mark.django_db

SURNAME = "Quartermain"


@pytest.fixture
def shared_without_personal_data(force, team, council):
    """A team contact shared with the council under a protocol without personal data."""
    contact = ContactFactory(organisation=team, first_name="Zebedee", last_name=SURNAME, postcode="LA14 9ZZ", notes="Lives alone")
    publish_protocol(provider=force, recipient=council, categories=("contacts", "concerns"), personal=False)
    return contact


def as_reader(user):
    """The reader's grant set written for the rest of the transaction, as each request's transaction will."""
    grant_settings.write(grant_settings.grants_document(grants_for(user)))


def test_an_aggregate_over_a_withheld_surname_returns_the_blank(partner_user, shared_without_personal_data):
    contacts = Contact.objects.visible_to(partner_user)
    assert contacts.aggregate(m=Max("last_name"), u=Max(Upper("postcode")))== {"m": "", "u": ""}
    assert contacts.values("last_name").annotate(n=Count("pk")).get() == {"last_name": "", "n": 1}


def test_a_function_ordering_or_filter_on_a_withheld_name_sees_the_blank(partner_user, team, shared_without_personal_data):
    ContactFactory(organisation=team, first_name="Aaron", last_name="Aardvark")
    contacts = Contact.objects.visible_to(partner_user)
    assert [c.last_name for c in contacts.order_by(Lower("last_name"), "pk")] == ["", ""]
    assert not contacts.filter(last_name__icontains="quarter").exists()
    assert not contacts.exclude(last_name="").exists()
    assert list(contacts.annotate(n=Concat("first_name", Value(" "), "last_name")).values_list("n", flat=True)) == [" ", " "]
    assert list(contacts.values_list(Upper("notes"), flat=True)) == ["", ""]
    assert contacts.distinct("last_name").order_by("last_name").count() == 1


def test_a_subquery_exists_or_window_reaching_a_withheld_name_sees_the_blank(partner_user, shared_without_personal_data):
    contacts = Contact.objects.visible_to(partner_user)
    # The inner querysets carry no viewer of their own: the outer one's is handed to them.
    same = Contact.objects.filter(pk=OuterRef("pk"))
    assert contacts.annotate(s=Subquery(same.values("last_name")[:1])).get().s == ""
    assert not contacts.filter(Exists(same.filter(last_name=SURNAME))).exists()
    assert not contacts.filter(pk__in=Contact.objects.filter(last_name=SURNAME).values("pk")).exists()
    assert contacts.annotate(w=Window(Max("last_name"), partition_by=F("organisation"))).get().w == ""
    assert contacts.annotate(r=Window(RowNumber(), order_by=F("last_name").desc())).get().r == 1


def test_the_instance_names_what_the_database_withheld_and_refuses_to_be_saved(partner_user, shared_without_personal_data):
    contact = Contact.objects.visible_to(partner_user).get()
    assert contact.last_name == "" and contact.withheld_fields == {"first_name", "last_name", "email", "phone", "postcode", "notes"}
    deferred = Contact.objects.visible_to(partner_user).only("pk").get()
    assert deferred.last_name == "" and deferred.postcode == ""
    with pytest.raises(PermissionDenied):
        contact.save()
    shared_without_personal_data.refresh_from_db()
    assert shared_without_personal_data.last_name == SURNAME


def test_a_protocol_with_personal_data_and_ones_own_rows_show_the_values(officer, partner_user, force, council, shared_without_personal_data):
    assert Contact.objects.visible_to(officer).aggregate(m=Max("last_name"))["m"] == SURNAME
    publish_protocol(provider=force, recipient=council, categories=("contacts",), personal=True, reference="with-personal")
    contact = Contact.objects.visible_to(partner_user).get()
    assert contact.last_name == SURNAME and contact.withheld_fields == frozenset()


def test_a_bare_query_inside_the_readers_transaction_is_withheld_too(partner_user, shared_without_personal_data):
    """The database's own lock: the transaction's grant set, whatever the query was built from."""
    with transaction.atomic():
        as_reader(partner_user)
        assert list(Contact.objects.values_list("last_name", flat=True)) == [""]
        assert Contact.objects.aggregate(m=Max("postcode"))["m"] == ""
    with transaction.atomic():
        grant_settings.write(grant_settings.system_document("withholding test"))
        assert list(Contact.objects.values_list("last_name", flat=True)) == [SURNAME]
    # No context: everything (row-level security then shows no rows at all).
    assert list(Contact.objects.values_list("last_name", flat=True)) == [SURNAME]


def test_a_visible_to_query_withholds_for_its_own_viewer_in_any_transaction(officer, partner_user, shared_without_personal_data):
    with transaction.atomic():
        grant_settings.write(grant_settings.system_document("withholding test"))
        contact = Contact.objects.visible_to(partner_user).get()
        assert contact.last_name == "" and "last_name" in contact.withheld_fields
    with transaction.atomic():
        as_reader(officer)
        assert Contact.objects.visible_to(officer).get().last_name == SURNAME


def test_writes_write_the_real_column_inside_a_readers_transaction(officer, team, shared_without_personal_data):
    with transaction.atomic():
        as_reader(officer)
        contact = Contact.objects.visible_to(officer).get()
        contact.last_name = "Quill"
        contact.save()
        Contact.objects.filter(pk=contact.pk).update(notes=Concat(F("notes"), Value(" and likes birds")))
        created = ContactFactory(organisation=team, last_name="Newcombe")
    rows = {pk: (last, notes) for pk, last, notes in Contact.objects.values_list("pk", "last_name", "notes")}
    assert rows[contact.pk] == ("Quill", "Lives alone and likes birds") and rows[created.pk][0] == "Newcombe"


def test_a_concerns_free_text_is_withheld_only_when_it_names_someone_and_by_classification(officer, partner_user, force, team, council):
    naming = ConcernFactory(organisation=team, description="Jo Bloggs at number 4", holds_personal_data=True, reporter_name="Ann Reporter")
    plain = ConcernFactory(organisation=team, description="Bins left out", holds_personal_data=False, reporter_name="Bob Reporter")
    sensitive = ConcernFactory(organisation=team, description="Sensitive Jo", holds_personal_data=True,
                               classification=Classification.OFFICIAL_SENSITIVE, reporter_name="Cy Reporter")
    publish_protocol(provider=force, recipient=council, categories=("concerns",), personal=True,
                     classification=Classification.OFFICIAL_SENSITIVE, reference="sensitive-no-personal")
    # Personal data at OFFICIAL only: the OFFICIAL-SENSITIVE row's personal fields stay withheld.
    publish_protocol(provider=force, recipient=council, categories=("concerns",), personal=True, reference="official-personal")
    seen = dict(Concern.objects.visible_to(partner_user).values_list("pk", "reporter_name"))
    assert seen == {naming.pk: "Ann Reporter", plain.pk: "Bob Reporter", sensitive.pk: "Cy Reporter"}


def test_official_sensitive_rows_keep_their_personal_fields_withheld_without_sensitive_personal_cover(partner_user, force, team, council):
    sensitive = ConcernFactory(organisation=team, description="Sensitive Jo", holds_personal_data=True,
                               classification=Classification.OFFICIAL_SENSITIVE, reporter_name="Cy Reporter")
    official = ConcernFactory(organisation=team, description="Jo Bloggs", holds_personal_data=True, reporter_name="Ann Reporter")
    publish_protocol(provider=force, recipient=council, categories=("concerns",), personal=False,
                     classification=Classification.OFFICIAL_SENSITIVE, reference="sensitive")
    publish_protocol(provider=force, recipient=council, categories=("concerns",), personal=True, reference="official-personal")
    seen = {pk: (name, text) for pk, name, text in Concern.objects.visible_to(partner_user).values_list("pk", "reporter_name", "description")}
    assert seen == {official.pk: ("Ann Reporter", "Jo Bloggs"), sensitive.pk: ("", "")}


def plan(queryset) -> str:
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (VERBOSE, FORMAT TEXT) " + sql, params)
        return "\n".join(row[0] for row in cursor.fetchall())


def test_the_rule_is_inlined_and_the_grant_set_read_once_per_statement(partner_user, shared_without_personal_data):
    """hub_personal_visible is inlined (no call per row); a visible_to query carries its arrays as literals,
    a bare one reads the transaction's as InitPlans (once per statement)."""
    with transaction.atomic():
        as_reader(partner_user)
        with connection.cursor() as cursor:
            # Row-level security's policies add InitPlans of their own (row_security/policies.py): the table's
            # owner, freed from FORCE inside this transaction (rolled back), plans the withholding alone.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # ALTER TABLE refuses while foreign-key checks wait
            cursor.execute("ALTER TABLE crm_contact NO FORCE ROW LEVEL SECURITY")
        bound = plan(Contact.objects.visible_to(partner_user).order_by(Lower("last_name")))
        bare = plan(Contact.objects.order_by(Lower("last_name")))
        transaction.set_rollback(True)
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
    assert "hub_personal_visible" not in bound and "InitPlan" not in bound and "hub_personal_cover" not in bound
    assert "hub_personal_visible" not in bare and "InitPlan" in bare
