"""Every action that changes TongTong Day state lives in this package.

Views, admin actions, management commands and celery tasks call these
functions and hold no rules of their own (the rules are in
``meetings.rules``, the shared reads in ``meetings.selectors``). Modules, each
importing only those listed before it (tests/meetings/test_import_layers.py):

- ``notifications``: what a citizen is told, through the project's outbox;
- ``transitions``: a request's moves along ``rules.TRANSITIONS`` and its
  history; cancelling or releasing an appointment;
- ``series``: the meeting-day series, its days and slots, moving and cancelling;
- ``requests``: a citizen's request, its reference number and status link;
- ``feedback``: the citizen's satisfaction answer;
- ``booking``: booking, substitution, answers, outcomes, the citizen's own
  cancel or move, the waiting list, reminders;
- ``review``: the department head's review opinion;
- ``retention``: removing personal data after the retention period.
"""
