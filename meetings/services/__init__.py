"""Every action that changes TongTong Day state lives in this package.

Views, admin actions, management commands and celery tasks call these
functions and hold no rules of their own. Modules:

- ``series``: the meeting-day series, its days and slots, moving and cancelling;
- ``requests``: a citizen's request, its reference number and status link;
- ``booking``: booking, substitution, answers, outcomes, the citizen's own
  cancel or move, the waiting list, reviews by departments;
- ``notifications``: the outbox every message to a citizen goes through.
"""
