"""Tongtong's shared core: the organisation, calendars, dates and working
days, the outbox, feeds, PDFs, reports and the staff area's frame. The apps
(``meetings``, ``visits``) build on it; it never imports them (they register
their parts from ``AppConfig.ready``)."""
