"""Placeholder: being written (issue 5)."""


def all_cards_build(*, batch_id: int) -> None:
    raise NotImplementedError
