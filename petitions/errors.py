from scheduling.errors import TongtongError


class PetitionError(TongtongError):
    """Anything a citizen or a staff member can get wrong about a petition;
    the message is shown to them as it is."""


class IllegalTransition(PetitionError):
    pass
