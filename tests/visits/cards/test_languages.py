"""The neighborhood cards and the visits page in Chinese and Vietnamese, with
a suggestion's whole story on them (docs/languages.md)."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.utils import timezone

from tests.meetings.test_languages import TAGS, _catalogue, _page_text, _sentences
from tests.visits.cards.test_public import full_story
from visits.cards import services as cs

pytestmark = pytest.mark.django_db

PHRASES = {
    "zh-hans": ["管理卡", "已完成", "处理经过", "居民的回答"],
    "vi": ["Thẻ quản lý", "Đã hoàn thành", "Quá trình xử lý", "Câu trả lời của người dân"],
}


@pytest.mark.parametrize("language", ["zh-hans", "vi"])
def test_a_card_with_a_completed_suggestion_reads_in_chinese_and_vietnamese(client, card_org, language):
    suggestion = full_story(card_org)
    cs.suggestion_complete(
        suggestion=suggestion,
        actor=card_org["users"]["roads_staff"],
        completed_on=timezone.localdate(),
        result="가로등 3개를 설치했습니다.",
    )
    cs.suggestion_resident_answer(suggestion=suggestion, resolved=True, comment="")
    leftovers = _sentences(_catalogue("en"), "msgid") | _sentences(_catalogue("ko"), "msgstr")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    for url in ("/neighborhoods/N01/", "/neighborhoods/", "/visits/"):
        response = client.get(url)
        assert response.status_code == 200
        assert f'<html lang="{TAGS[language]}">' in response.content.decode()
        text = _page_text(response)
        assert sorted(sentence for sentence in leftovers if sentence in text) == [], url
        if url == "/neighborhoods/N01/":
            for phrase in PHRASES[language]:
                assert phrase in text, phrase
            assert "가로등 3개를 설치했습니다." in text  # what the department wrote stays as written
