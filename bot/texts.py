"""User-facing Dutch texts that more than one adapter shows."""

CONTACT = "bureauopvang@nidos.nl"


UNSURE = "Ik weet het niet zeker. Bedoelt u misschien:"

HELLO = (
    "Hallo! Stel uw vraag over kleinschalige opvang, bijvoorbeeld: hoeveel m2 moet de keuken van "
    "een KWG zijn? Met /help ziet u wat ik nog meer kan."
)

YOU_ARE_WELCOME = "Graag gedaan. Stel gerust een nieuwe vraag."

NO_SUCH_OPTION = "Er is geen keuze #{n}. Kies een van de nummers achter 'Kies:'."

NO_CHECKLIST_FOR_REMARK = "Er is nog geen checklist getoond. Open er een met /checklist."

FLOW_CONTINUES = "Dan gaan we verder met de vragenronde (stoppen kan met /stop):"

READ_AS = "(Ik las dit als: {question})"

FLOW_INSTEAD = "Dat zoek ik samen met u uit: kies hieronder en beantwoord een paar vragen."

UNSURE_AFTER = f"Klopt dit niet? Stel uw vraag anders, tik 👎, of mail uw vraag aan {CONTACT}."

NOT_UNDERSTOOD = (
    "Ik herken {words} niet uit de documenten van Nidos. Probeer het met andere woorden, "
    "bijvoorbeeld: hoeveel m2 moet de huiskamer van een KWE zijn?"
)

NO_ANSWER = (
    "Daarover staat geen betrouwbaar antwoord in de documenten van Nidos. De documenten gaan "
    "over: de eisen aan huisvesting (PvE), de woonvormen KWG, KWE en KWE+, termijnen en "
    "taakstelling, de kwaliteitsnormen en de stappen voor een gemeente. Probeer het anders te "
    f"formuleren, of mail uw vraag aan {CONTACT}."
)


def no_answer(not_understood: tuple[str, ...] = ()) -> str:
    """Why there is no answer: words that are not understood, or a topic the documents lack."""
    words = not_understood[:3]
    if not words:
        return NO_ANSWER
    quoted = ", ".join(f"'{w[:40]}…'" if len(w) > 40 else f"'{w}'" for w in words)
    what = f"het woord {quoted}" if len(words) == 1 else f"de woorden {quoted}"
    return NOT_UNDERSTOOD.format(words=what)


EMPTY_QUESTION = (
    "Stel een vraag in een paar woorden, bijvoorbeeld: hoeveel m2 moet de keuken van een KWG zijn?"
)


WELCOME = (
    "Welkom bij draaibot. Ik beantwoord vragen over kleinschalige opvang (KSO) voor amv's met "
    "status, met de bron erbij: het draaiboek voor gemeenten, het Programma van Eisen Huisvesting, "
    "het Kwaliteitsbeleid KSO en de VNG-presentatie 2026."
)

SLOW_DOWN = (
    "Even rustig aan: u stelt veel vragen kort na elkaar. Probeer het over een minuut opnieuw."
)

TOO_LONG_CUT = "Uw vraag was erg lang; ik heb alleen het begin gebruikt."

STALE_BUTTON = "Dit antwoord is niet meer beschikbaar. Stel uw vraag opnieuw."

UNKNOWN_BUTTON = "Deze knop werkt niet meer. Stel uw vraag opnieuw of typ /help."

STALE_FLOW = "Deze vragenronde is afgelopen of gestopt. Start opnieuw met het commando."
REMINDER_CAP = "Deze chat heeft al {n} herinneringen. Verwijder er eerst een via /herinneringen."

CHECKLIST_CAP = "Deze chat heeft al {n} open checklists. Sluit er eerst een via /checklists."

ASK_MISSING = (
    "Jammer dat het antwoord niet hielp. Wat miste u? Antwoord op dit bericht; "
    "u mag het ook overslaan."
)

PROMPT_FOR_OTHER = (
    "Deze vraag is aan een ander lid van de groep gesteld. Uw antwoord is niet opgeslagen."
)

THANKS_MISSING = (
    "Dank u wel, uw toelichting is opgeslagen. Nidos gebruikt die om de antwoorden te verbeteren."
)

NOT_TEXT = "Ik kan alleen tekst lezen. Typ uw vraag, of kies /help."

STORAGE_FAILED = "Opslaan lukt nu niet, probeer het later opnieuw."

PRIVACY = (
    "Wat draaibot bewaart, en hoe lang:\n"
    "- uw vragen, of er een antwoord was en uit welke bronnen, met datum en tijd: {days} dagen;\n"
    "- uw 👍/👎 en wat u miste: {days} dagen;\n"
    "- een vraag van mij waarop u nog kunt antwoorden (zoals 'Wat miste u?'): {days} dagen;\n"
    "- de antwoorden in een vragenronde: {days} dagen na de laatste wijziging. Een "
    "geboortedatum schrijf ik nooit weg: ik onthoud hem alleen zolang de vragenronde loopt "
    "(na een herstart vraag ik hem opnieuw);\n"
    "- herinneringen: de data en de naam die u de herinnering geeft, tot {days} dagen nadat "
    "de herinnering is verstuurd;\n"
    "- in een gedeelde checklist: wie wat afvinkte (naam zoals in Telegram), wanneer, en de "
    "opmerkingen; zolang de checklist open is, en gesloten nog {days} dagen na de laatste "
    "wijziging;\n"
    "- pogingen om beheercommando's te gebruiken (uw gebruikersnummer): {days} dagen; wat een "
    "beheerder daarmee veranderde (kennis gepubliceerd of teruggezet, beheerders toegevoegd of "
    "verwijderd) blijft als verantwoording die {days} dagen staan, ook na /vergeet;\n"
    "- van beheerders: hun gebruikersnummer, zolang ze beheerder zijn, en na het intrekken nog "
    "{days} dagen (wie het deed en wanneer). Het rapport voor beheerders (vragen per week als "
    "grafiek, vragen zonder antwoord gegroepeerd) gebruikt alleen de gegevens hierboven;\n"
    "- een vraag die een beheerder aan een sectie koppelt: {days} dagen. Wat de beheerder "
    "daarvan nakijkt en bevestigt (de vraag zonder namen of details van een casus), wordt als "
    "vraagvorm deel van de kennis en blijft bewaard zolang die kennis bestaat;\n"
    "- het volgnummer van elk bericht, zonder inhoud: 7 dagen, zodat ik niets dubbel "
    "beantwoord;\n"
    "- mijn berichten aan u die Telegram nog niet heeft aangenomen: tot ze verstuurd zijn, "
    "hoogstens een dag.\n"
    "Bij vragen bewaar ik geen namen of gebruikersnamen, alleen het nummer van deze chat, zodat "
    "u alles kunt laten wissen. Met /vergeet wist u nu alles van deze chat, ook vragenrondes, "
    "herinneringen en checklists. Wat gewist is, wordt ook in het databasebestand overschreven."
)

FORGET_CONFIRM = (
    "Weet u het zeker? Ik wis dan alles wat ik van deze chat bewaar: vragen, antwoorden, "
    "feedback, vragenrondes, herinneringen en checklists. Dit kan niet ongedaan worden gemaakt."
)

FORGOTTEN = "Gedaan: alles van deze chat is gewist ({n} gegevens)."

NOT_FORGOTTEN = "Goed, er is niets gewist."

ADMIN_CHECK_FAILED = (
    "Ik kan nu niet nagaan of u beheerder van deze groep bent. Probeer het over een minuut opnieuw."
)

FORGET_GROUP_ADMINS = "In een groep kunnen alleen de beheerders van de groep alles laten wissen."

ADMIN_ONLY = "Dit commando is alleen voor medewerkers van Nidos die beheerder zijn van draaibot."

ADMIN_PRIVATE_ONLY = "Beheercommando's werken alleen in een privéchat met mij."

TERMINAL_ADMIN = (
    "In deze terminal (draaibot chat) bent u altijd beheerder: wie de server bedient, beheert de "
    "bot. De lijst hierboven geldt voor Telegram."
)

START_HINT = (
    "Stel uw vraag gewoon in een bericht, bijvoorbeeld: hoeveel m2 moet de huiskamer van een KWE "
    "zijn? In een groep gebruikt u /vraag of noemt u mij. Onder elk antwoord staat de bron."
)

ASK_IN_PRIVATE = (
    "Typ uw vraag in een bericht, bijvoorbeeld: mag een jongere zijn kamer op slot doen?"
)

ASK_IN_GROUP = (
    "Stel uw vraag met /vraag, bijvoorbeeld: /vraag mag een jongere zijn kamer op slot doen? "
    "U kunt mij ook noemen of op mijn bericht antwoorden."
)


UNKNOWN_COMMAND = "Het commando {name} ken ik niet. Typ /help voor wat ik kan."

PRIVATE_ONLY = "Dit commando werkt alleen in een privéchat met mij."

TERMINAL_HELP = (
    "\n\nIn deze terminal: #1, #2 … kiest een knop; opmerking 3: tekst zet een opmerking bij "
    "punt 3 van de laatst getoonde checklist; /exit sluit de chat af."
)


RELOAD_CRASHED = (
    "De kennis is NIET opnieuw geladen: bij het lezen ging iets onverwacht mis ({error}). "
    "De vorige versie blijft in gebruik. Probeer /herlaad later nog eens of meld dit."
)

STARTED_FROM_LAST_GOOD = (
    "De bot is gestart met de laatst goede versie van de kennis: de kennismap bevat fouten. "
    "Los deze op en sla opnieuw op; dan laad ik de kennis vanzelf opnieuw:\n{problems}"
)
