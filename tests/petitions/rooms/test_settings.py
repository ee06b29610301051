"""Building security's contact comes from the environment; a bad value stops the start-up."""

import pytest

from tests.config.test_settings import probe

pytestmark = pytest.mark.configuration_dependent


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"BUILDING_SECURITY_EMAIL": "security"}, "BUILDING_SECURITY_EMAIL='security' is not an e-mail address"),
        ({"BUILDING_SECURITY_PHONE": "031-000-0112"}, "BUILDING_SECURITY_PHONE='031-000-0112' is not a mobile number"),
        ({"BUILDING_SECURITY_PHONE": " "}, "BUILDING_SECURITY_PHONE is empty"),
    ],
)
def test_a_bad_building_security_contact_stops_the_start_up(env, message):
    result = probe(**env)
    assert result.returncode != 0
    assert message in result.stderr


def test_good_values_start():
    assert probe(BUILDING_SECURITY_EMAIL="guard@city.example", BUILDING_SECURITY_PHONE="010 9999 0112").returncode == 0
