"""The KakaoTalk 알림톡 templates: one registry, kept as registered.

An 알림톡 goes out only on a template that Kakao has reviewed and approved
(registered through the provider's console, see docs/notifications.md): a
code, the exact text with ``#{변수}`` placeholders, and its buttons. The text
sent must be that text with the variables filled in, character for
character, or Kakao refuses it (SOLAPI status 1043 / 3103). So:

- this module is the only place a template's text is written;
- the outbox's text message of a kind with a template is *rendered from
  it* (``Template.render``), and the row keeps the template code and the
  variables, which the provider backend sends along
  (``scheduling/solapi_backend.py``);
- a kind without a template here (or a language whose template is not
  registered yet) goes as SMS/LMS.

Changing a text here means registering the new version with Kakao first
(a new code: Kakao does not let an approved template be edited) and only
then changing the code and the text here in one commit.

The texts are the Korean texts the site already sent (``meetings`` and
``visits`` render the same words for the e-mail); ``tests/scheduling/
test_alimtalk.py`` renders every template from real outbox rows and checks
the text against the registered one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.conf import settings

#: ``#{name}``: a template variable (letters, digits, underscores; Kakao
#: also allows Korean names).
VARIABLE = re.compile(r"#\{(\w+)\}")
#: Kakao's limits: 1,000 characters of text, 5 buttons, 14 characters a
#: button name.
MAX_TEXT = 1000
MAX_BUTTONS = 5
MAX_BUTTON_NAME = 14


@dataclass(frozen=True)
class Button:
    """A 웹링크 (WL) button. ``link`` is registered as the site's address
    followed by a variable path: ``{site}`` stands for ``SITE_URL`` (fixed
    when the template is registered for a deployment), ``#{link_path}`` for
    the rest of the link (filled in per message)."""

    name: str
    link: str = "{site}/#{link_path}"
    type: str = "WL"


@dataclass(frozen=True)
class Template:
    code: str
    text: str
    buttons: tuple[Button, ...] = field(default=())

    def variable_names(self) -> list[str]:
        """Every ``#{variable}`` of the text and the buttons, in order, once."""
        names: list[str] = []
        for source in [self.text, *(button.link for button in self.buttons)]:
            for name in VARIABLE.findall(source):
                if name not in names:
                    names.append(name)
        return names

    def variables(self, values: dict) -> dict[str, str]:
        """The template's variables taken from ``values`` (the values a
        service renders its message with). ``link_path`` is derived from
        ``link``: the link without the site's address."""
        values = dict(values)
        link = str(values.get("link", ""))
        site = settings.SITE_URL.rstrip("/") + "/"
        if "link_path" not in values and link.startswith(site):
            values["link_path"] = link[len(site) :]
        return {name: str(values[name]) for name in self.variable_names()}

    def render(self, variables: dict) -> str:
        """The registered text with ``variables`` filled in, and nothing
        else changed. A missing variable is a KeyError (a bug, not a
        message with a hole in it)."""
        return VARIABLE.sub(lambda match: str(variables[match[1]]), self.text)

    def render_buttons(self, variables: dict) -> list[dict[str, str]]:
        """The buttons as sent: name, type and the link filled in (mobile and PC)."""
        site = settings.SITE_URL.rstrip("/")
        result = []
        for button in self.buttons:
            link = VARIABLE.sub(lambda match: str(variables[match[1]]), button.link.replace("{site}", site))
            result.append({"name": button.name, "type": button.type, "link_mo": link, "link_pc": link})
        return result


MEETINGS = "meetings.Notification"
VISITS = "visits.SuggestionNotification"
PETITIONS = "petitions.PetitionNotification"
SURVEYS = "petitions.SurveyNotification"

#: (outbox table, message kind, language) → the registered template. Only
#: Korean is registered so far; a message in another language goes as
#: SMS/LMS until its template is approved and added here.
TEMPLATES: dict[tuple[str, str, str], Template] = {
    # --- meetings: to the citizen about their meeting request (meetings/services/notifications.py)
    (MEETINGS, "submitted", "ko"): Template(
        "TT_MEET_SUBMITTED_V1",
        "[#{city}] 면담 신청(#{reference})이 접수되었습니다. 진행 상황 확인: #{link}",
        (Button("진행 상황 보기"),),
    ),
    (MEETINGS, "under_review", "ko"): Template(
        "TT_MEET_REVIEW_V1",
        "[#{city}] 면담 신청(#{reference})을 검토하고 있습니다.",
    ),
    (MEETINGS, "scheduled", "ko"): Template(
        "TT_MEET_SCHEDULED_V1",
        "[#{city}] 면담(#{reference}) 확정: #{when}, #{where}, 면담자 #{who}. "
        "취소·변경은 받으신 링크에서 하실 수 있습니다.",
    ),
    (MEETINGS, "substituted", "ko"): Template(
        "TT_MEET_SUBSTITUTED_V1",
        "[#{city}] 대체 면담(#{reference}) 확정: #{when}, #{where}, 면담자 #{who}(시장 대신). 사유: #{reason}",
    ),
    (MEETINGS, "answered", "ko"): Template(
        "TT_MEET_ANSWERED_V1",
        "[#{city}] 신청(#{reference})에 서면으로 답변했습니다. 받으신 링크에서 확인해 주세요.",
    ),
    (MEETINGS, "declined", "ko"): Template(
        "TT_MEET_DECLINED_V1",
        "[#{city}] 신청(#{reference})은 면담이 어렵습니다. 사유: #{reason} #{remedy}",
    ),
    (MEETINGS, "extended", "ko"): Template(
        "TT_MEET_EXTENDED_V1",
        "[#{city}] 신청(#{reference})의 답변 기한이 #{when}까지 연장되었습니다. 사유: #{reason}",
    ),
    (MEETINGS, "cancelled", "ko"): Template(
        "TT_MEET_CANCELLED_V1",
        "[#{city}] 면담 신청(#{reference})이 취소되었습니다.",
    ),
    (MEETINGS, "meeting_day_moved", "ko"): Template(
        "TT_MEET_DAY_MOVED_V1",
        "[#{city}] 면담(#{reference}) 일정 변경: #{when}. 사유: #{reason}. "
        "어려우시면 받으신 링크에서 다른 날짜를 요청해 주세요.",
    ),
    (MEETINGS, "meeting_day_cancelled", "ko"): Template(
        "TT_MEET_DAY_CANCELLED_V1",
        "[#{city}] 면담(#{reference}) 일정이 취소되었습니다. 사유: #{reason}. "
        "신청은 유지되니 받으신 링크에서 다른 날짜를 선택해 주세요.",
    ),
    (MEETINGS, "waitlist_offer", "ko"): Template(
        "TT_MEET_WAITLIST_V1",
        "[#{city}] 신청(#{reference})에 빈 면담 시간이 생겼습니다: #{when}. "
        "원하시면 #{deadline}까지 받으신 링크에서 확정해 주세요.",
    ),
    (MEETINGS, "reminder", "ko"): Template(
        "TT_MEET_REMINDER_V1",
        "[#{city}] 내일 면담(#{reference}) 안내: #{when}, #{where}",
    ),
    (MEETINGS, "satisfaction", "ko"): Template(
        "TT_MEET_SATISFACTION_V1",
        "[#{city}] 면담(#{reference})은 어떠셨나요? 1분 만족도 조사: #{link}",
        (Button("만족도 조사 참여"),),
    ),
    (MEETINGS, "moved_by_citizen", "ko"): Template(
        "TT_MEET_MOVE_ASKED_V1",
        "[#{city}] 신청(#{reference})의 일정 변경 요청을 받았습니다. 확인 후 안내해 드리겠습니다.",
    ),
    # --- visits: to the resident about their suggestion (visits/cards/notifications.py)
    (VISITS, "status", "ko"): Template(
        "TT_CARD_STATUS_V1",
        "[#{city}] #{neighborhood} 건의사항 「#{title}」 처리 상태: #{status}.#{note} 관리카드 보기: #{link}",
        (Button("관리카드 보기"),),
    ),
    (VISITS, "resolved_question", "ko"): Template(
        "TT_CARD_RESOLVED_Q_V1",
        "[#{city}] #{neighborhood} 건의사항 「#{title}」 처리가 완료되었습니다. 해결되었는지 알려 주세요: #{link}",
        (Button("해결 여부 답하기"),),
    ),
    # --- petitions (intake): the receipt of a petition from any channel (petitions/notifications.py)
    (PETITIONS, "receipt", "ko"): Template(
        "TT_PETITION_RECEIPT_V1",
        "[#{city}] 민원(접수번호 #{reference})이 접수되었습니다. #{due}까지 답변해 드리겠습니다.",
    ),
    # --- petitions (reports): the satisfaction survey's invitation (petitions/surveys/services.py)
    (SURVEYS, "invitation", "ko"): Template(
        "TT_PET_SURVEY_V1",
        "[#{city}] 민원 처리는 만족스러우셨나요? 짧은 질문 다섯 가지에 답해 주세요(#{until}까지): #{link}",
        (Button("만족도 조사 참여"),),
    ),
}


def template_for(model_or_label, kind: str, language: str = "ko") -> Template | None:
    """The registered template of ``kind`` in ``language`` for an outbox
    table (a model or its label), or None: then the message goes as SMS/LMS."""
    label = model_or_label if isinstance(model_or_label, str) else model_or_label._meta.label
    return TEMPLATES.get((label, kind, language))


def by_code(code: str) -> Template | None:
    """The template registered under ``code``."""
    for template in TEMPLATES.values():
        if template.code == code:
            return template
    return None


def template_fields(model_or_label, kind: str, values: dict, *, language: str = "ko") -> dict:
    """What an outbox row of ``kind`` keeps of its template: the code and
    the variables, and the body rendered from it. Empty if ``kind`` has no
    template (then the caller's own text goes as SMS/LMS)."""
    template = template_for(model_or_label, kind, language)
    if template is None:
        return {}
    variables = template.variables(values)
    return {"template_code": template.code, "variables": variables, "body": template.render(variables)}
