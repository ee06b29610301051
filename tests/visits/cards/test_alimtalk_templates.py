"""The residents' text messages about their suggestions are KakaoTalk
알림톡 on registered templates (scheduling/alimtalk_templates.py): each one
the services write renders to exactly its registered text, with a button to
the same link the text names. (The sending itself, through SOLAPI, is
tested in tests/meetings/test_alimtalk.py.)"""

from __future__ import annotations

import pytest

from scheduling import alimtalk_templates
from scheduling.alimtalk_templates import TEMPLATES, VARIABLE
from scheduling.sms import outbox as sms_sent
from visits.models import SuggestionNotification

pytestmark = pytest.mark.django_db

LABEL = "visits.SuggestionNotification"


def test_every_residents_template_renders_to_its_registered_text_from_real_messages(suggestion_at):
    suggestion = suggestion_at("completed", contact_phone="010-2222-3333", contact_consent=True)
    rows = SuggestionNotification.objects.filter(suggestion=suggestion, channel="sms").order_by("pk")
    sent = {message.reference: message for message in sms_sent}
    kinds = set()
    for row in rows:
        template = alimtalk_templates.template_for(SuggestionNotification, row.kind)
        message = sent[f"{LABEL}:{row.pk}"]
        assert message.template_code == row.template_code == template.code
        assert message.body == VARIABLE.sub(lambda match, v=message.variables: v[match[1]], template.text)
        assert "#{" not in message.body and "가로등 설치" in message.body and "중앙동" in message.body
        assert [button["link_mo"] for button in message.buttons] == [message.variables["link"]]
        assert (row.status, row.via in ("sms", "lms")) == ("sent", True)  # locmem backend: no 알림톡
        kinds.add(row.kind)
    assert kinds == {kind for (label, kind, _lang) in TEMPLATES if label == LABEL}
    # The "is it resolved?" link is private: kept without its secret once sent.
    question = rows.get(kind="resolved_question")
    assert "…" in question.body and "…" in question.variables["link"]
    assert "…" not in sent[f"{LABEL}:{question.pk}"].body
