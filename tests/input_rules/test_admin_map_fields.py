"""A map field in the admin given something that is not a shape is refused on the field, never a 500."""
import pytest

from geo.models import ForceArea

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("boundary", ["{}", '{"type": "Point"}', '{"type": "MultiPolygon", "coordinates": "x"}', "[]", "null"])
def test_a_boundary_that_is_not_a_shape_is_refused_on_the_field(admin_client, force, boundary):
    area = ForceArea.objects.create(force=force, code="E23000033", name="Test force area")
    response = admin_client.post(f"/admin/geo/forcearea/{area.pk}/change/",
                                 {"force": force.pk, "code": "E23000033", "name": "Test force area", "boundary": boundary})
    assert response.status_code == 200
    assert "Invalid geometry value" in response.content.decode() or "No geometry value provided" in response.content.decode()
