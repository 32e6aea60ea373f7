"""User-facing Dutch texts that more than one adapter shows."""

CONTACT = "bureauopvang@nidos.nl"

NO_ANSWER = (
    "In de documenten van Nidos staat geen betrouwbaar antwoord op deze vraag. "
    "Probeer het anders te formuleren, met de woorden die in de documenten staan, "
    f"of mail uw vraag aan {CONTACT}."
)

EMPTY_QUESTION = (
    "Stel een vraag in een paar woorden, bijvoorbeeld: hoeveel m2 moet de keuken van een KWG zijn?"
)

TOO_LONG = "Uw bericht is erg lang. Ik heb alleen het begin gelezen; stel uw vraag liever kort."

WELCOME = (
    "Welkom bij draaibot. Ik beantwoord vragen over kleinschalige opvang (KSO) voor amv's met "
    "status, met de bron erbij: het draaiboek voor gemeenten, het Programma van Eisen Huisvesting, "
    "het Kwaliteitsbeleid KSO en de VNG-presentatie 2026."
)
