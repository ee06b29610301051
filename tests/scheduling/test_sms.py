"""The SMS interface: backends chosen by a setting, SMS or LMS by length."""

import pytest

from scheduling import sms


def test_locmem_backend_keeps_what_was_sent(settings):
    settings.SMS_BACKEND = "locmem"
    settings.SMS_SENDER = "0311234567"
    sms.send_sms("01012345678", "[통통시] 면담 신청이 접수되었습니다.")
    assert len(sms.outbox) == 1
    assert sms.outbox[0].to == "01012345678"
    assert sms.outbox[0].sender == "0311234567"


def test_file_backend_writes_one_file_per_message(settings, tmp_path):
    settings.SMS_BACKEND = "file"
    settings.SMS_FILE_PATH = str(tmp_path)
    sms.send_sms("01012345678", "안녕하세요")
    files = list(tmp_path.iterdir())
    assert len(files) == 1
    assert "안녕하세요" in files[0].read_text(encoding="utf-8")


def test_console_backend_prints(settings, capsys):
    settings.SMS_BACKEND = "console"
    sms.send_sms("01012345678", "안녕하세요")
    assert "안녕하세요" in capsys.readouterr().out


def test_a_city_gateway_plugs_in_by_dotted_path(settings):
    settings.SMS_BACKEND = "tests.scheduling.test_sms.RecordingGateway"
    assert sms.send_sms("01000000000", "x") == "gw-1"


class RecordingGateway(sms.BaseSMSBackend):
    def send(self, message):
        return "gw-1"


@pytest.mark.parametrize(
    ("body", "kind"),
    [("가" * 45, "SMS"), ("가" * 46, "LMS"), ("a" * 90, "SMS"), ("a" * 91, "LMS")],
)
def test_korean_text_over_90_bytes_goes_as_lms(body, kind):
    assert sms.SMSMessage(to="010", body=body).kind == kind
