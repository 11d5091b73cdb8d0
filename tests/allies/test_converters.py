import pytest
from django.urls import NoReverseMatch, resolve, reverse
from django.urls.exceptions import Resolver404

from allies.converters import MAX_ID, IdConverter, YearConverter


@pytest.mark.parametrize("text", ["1", "42", "007", str(MAX_ID)])
def test_an_id_is_a_number_from_1_to_the_largest_64_bit_key(text):
    assert IdConverter().to_python(text) == int(text)


@pytest.mark.parametrize("text", ["0", "000", str(MAX_ID + 1), str(10**30), "9" * 5000])
def test_an_id_out_of_range_is_refused(text):
    with pytest.raises(ValueError):
        IdConverter().to_python(text)


def test_a_url_with_an_id_out_of_range_resolves_to_nothing():
    assert resolve(f"/circles/{MAX_ID}/").kwargs == {"circle_id": MAX_ID}
    with pytest.raises(Resolver404):
        resolve(f"/circles/{MAX_ID + 1}/")
    with pytest.raises(Resolver404):
        resolve("/circles/0/")


@pytest.mark.parametrize("value", [0, -1, MAX_ID + 1])
def test_no_url_is_built_for_an_id_out_of_range(value):
    with pytest.raises(NoReverseMatch):
        reverse("circles:detail", kwargs={"circle_id": value})


def test_a_year_has_four_digits():
    assert resolve("/circles/1/plan/2026/").kwargs == {"circle_id": 1, "year": 2026}
    assert YearConverter().to_url(1000) == "1000"
    for text in ("0999", "999", "10000", "0000"):
        with pytest.raises(Resolver404):
            resolve(f"/circles/1/plan/{text}/")
    with pytest.raises(NoReverseMatch):
        reverse("meetings:plan_year", kwargs={"circle_id": 1, "year": 10_000})
