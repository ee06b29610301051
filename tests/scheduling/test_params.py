"""scheduling.params: the one parser of path and query values (issue 14)."""

import datetime as dt

import pytest
from django.core.exceptions import BadRequest

from scheduling import params

HOSTILE = ["²", "٣", "1\x00", "\x00", str(10**23), "-1", "x" * 3000, "'\"><script>", "", " ", "1.5", "0x10", "+1"]


@pytest.mark.parametrize("raw", HOSTILE)
def test_an_id_is_ascii_digits_that_fit_the_database(raw):
    with pytest.raises(params.BadParameter):
        params.object_id(raw)
    assert params.optional_id(raw) is None


def test_good_values_parse():
    assert params.object_id("42") == 42
    assert params.object_id(str(params.MAX_ID)) == params.MAX_ID
    assert params.year("2026") == 2026
    assert params.month("2026-10") == dt.date(2026, 10, 1)
    assert params.date("2026-02-28") == dt.date(2026, 2, 28)
    assert params.page("") == 1 and params.page("3") == 3
    assert params.integer("-5", minimum=-10, maximum=10) == -5


@pytest.mark.parametrize("raw", ["0", "1999", "2101", "9999", "٢٠٢٦", "²⁰²⁶", str(10**23)])
def test_a_year_is_2000_to_2100(raw):
    assert params.optional_year(raw) is None


@pytest.mark.parametrize("raw", ["9999-12", "0000-01", "2026-13", "2026-00", "٢٠٢٦-١٠", "2026-1", "2026-10\x00"])
def test_a_month_is_yyyy_mm_within_range(raw):
    assert params.optional_month(raw) is None


@pytest.mark.parametrize("raw", ["2026-02-30", "2026-13-01", "9999-12-31", "2026-١٠-01", "2026-10-01T00:00"])
def test_a_date_is_a_real_day_within_range(raw):
    assert params.optional_date(raw) is None


def test_a_bad_value_is_a_bad_request_and_a_value_error():
    """Uncaught, Django answers 400; caught as ValueError, a view falls back."""
    with pytest.raises(BadRequest):
        params.page("²")
    with pytest.raises(ValueError):
        params.page(str(params.MAX_PAGE + 1))


def test_text_refuses_nul_and_length():
    assert params.text("동") == "동"
    with pytest.raises(params.BadParameter):
        params.text("a\x00b")
    with pytest.raises(params.BadParameter):
        params.text("x" * 201)


@pytest.mark.django_db
def test_the_400_page_is_the_sites_own_korean_page(client):
    response = client.get("/neighborhoods/%00/")
    assert response.status_code == 400
    assert "400.html" in [t.name for t in response.templates]
    assert "주소" in response.content.decode()  # translated (see locale/ko)


@pytest.mark.django_db
def test_a_huge_id_in_a_path_is_not_found(client, secretariat_user):
    client.force_login(secretariat_user)
    assert client.get(f"/staff/meetings/{10**23}/").status_code == 404
    assert client.get("/staff/meetings/%C2%B2/").status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize("key", ["²", "٣", str(10**23), "-1", ""])
def test_a_multiple_choice_of_rows_refuses_a_key_that_is_no_id(key):
    """Django's field lets 10**23 through to the database (an OverflowError
    on SQLite); ours answers the form's own error."""
    from django.core.exceptions import ValidationError

    from scheduling.forms import ModelMultipleChoiceField
    from scheduling.models import Neighborhood

    field = ModelMultipleChoiceField(queryset=Neighborhood.objects.all())
    with pytest.raises(ValidationError) as caught:
        field.clean([key])
    assert caught.value.code in {"invalid_pk_value", "invalid_choice"}
