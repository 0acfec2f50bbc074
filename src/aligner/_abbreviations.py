"""Per-language word lists that decide whether a period ends a sentence.

Each language has the same seven lists (whitespace-separated; dotted forms are written without the final
period and with no inner spaces, e.g. ``z.B`` also matches ``z. B.``):

``nonterminal``
    abbreviations that (almost) never end a sentence: titles before names (Mr., S.E., Excmo.),
    and words like e.g. / z. B. / т. е. that always introduce more text.
``before_number``
    abbreviations that stand before a number (Nov. 2020, Nr. 5, ст. 12): no boundary before a digit;
    before a capitalised word they are treated as ``ambiguous``.
``ambiguous``
    abbreviations that often end a sentence but may also precede a name (Inc., U.S., a.m., Jh.):
    a boundary only when the next word is a common sentence opener (see ``starters``).
``eras``
    era markers written after a year (B.C., v. Chr., a. C., до н. э.): they end the sentence before a
    capital, unless all that precedes them is a short fronted date ("In 44 B.C. Caesar ...").
``terminal``
    abbreviations that close a list and usually end the sentence when a capital follows (etc., usw.,
    и т. д.); listed so that their last letter is not mistaken for an initial.
``units``
    abbreviations written after a number (2020 г., 5 млрд., 3 Mio.): after a number they are
    ``ambiguous``; elsewhere the other lists apply (``г. Москва`` is "city of Moscow").
``starters``
    closed-class words (articles, pronouns, prepositions, conjunctions, sentence adverbs) that open
    sentences; lower-case here, matched against a capitalised next word (up to an apostrophe, so
    French elisions appear as ``l``, ``d``, ``aujourd``).

Lookup is case-sensitive, except that a capitalised form also matches a lower-case entry (``Vgl.``).
"""

from __future__ import annotations

_MONTHS_EN = "Jan Feb Mar Apr Jun Jul Aug Sep Sept Oct Nov Dec"

RULES: dict[str, dict[str, str]] = {
    "en": {
        "nonterminal": """
            Mr Mrs Ms Mx Messrs Mmes Dr Drs Prof Profs Rev Revd Hon Fr Msgr Gen Lt Col Maj Capt Cmdr
            Adm Sgt Cpl Gov Sen Rep Amb Pres Supt Insp Atty Mt Ft H.E H.M H.R.H e.g i.e cf viz vs
            approx ca c esp incl excl fig Fig Figs Eq Ref Refs""",
        "before_number": f"""
            No Nos p pp para paras Art Arts Sec sec Secs ch Ch chap Chap vol Vol vols
            pt Pt op {_MONTHS_EN}""",
        "ambiguous": "Inc Ltd Co Corp Bros Jr Sr St Ave Blvd Rd a.m p.m U.S U.K U.N est",
        "eras": "B.C B.C.E A.D C.E",
        "terminal": "etc",
        "units": "",
        "starters": """
            the a an this that these those it its he his she her they their them we our i you your
            there here in on at for from by with without after before during since until under over
            into about against among between according despite following as if when while although
            though because but and or so yet however meanwhile moreover also still then thus
            therefore instead nevertheless nonetheless now today yesterday tomorrow what who why how
            where which some many most all both each every no not one two several such other another
            only even later earlier""",
    },
    "de": {
        "nonterminal": """
            Hr Hrn Fr Frl Dr Prof Dipl Ing Mag St Hl hl Exz Botsch Min Bundesmin Gen Hptm Pfr Hrsg
            z.B z.T z.Zt d.h u.a s.o s.u o.g m.E u.U i.d.R i.A i.V i.e.S i.w.S bzw vgl sog ca evtl
            ggf inkl exkl gem lt zzgl abzgl insb einschl geb gest verh v""",
        "before_number": """
            Nr Nrn Abs Art Bd Bde Kap Ziff Anm Tab Abb S Sp Jan Febr Feb Mär Apr Jun Jul Aug Sep Sept
            Okt Nov Dez""",
        "ambiguous": "Co Jr Sr Str Jh Jhs",
        "eras": "v.Chr n.Chr v.u.Z n.u.Z",
        "terminal": "usw usf etc u.ä o.ä u.Ä o.Ä u.v.m u.s.w",
        "units": "Mio Mrd Tsd Std Min Sek Jh",
        "starters": """
            der die das den dem des ein eine einer eines einem einen er sie es wir ich ihr man dies
            diese dieser dieses diesem diesen jene jener damit dabei dafür dagegen danach dann doch
            aber und oder auch im in am an auf aus bei mit nach seit von vor zu zum zur für über
            unter neben zwischen gegen ohne durch als wenn wie was wer warum wo so da denn jedoch
            nun noch nicht kein keine keiner alle viele einige zudem außerdem laut trotz während
            obwohl deshalb daher dort hier heute gestern morgen bereits schon inzwischen zunächst
            später sein seine ihre ihr unser""",
    },
    "fr": {
        "nonterminal": """
            M MM Mme Mmes Mlle Mlles Me Mgr Dr Pr S.E LL.EE S.M S.S St Ste Gén Col Cdt Lt Sgt p.ex cf
            c.-à-d env ca av apr ann""",
        "before_number": "no nos n art p pp chap vol janv févr fév avr juil sept oct nov déc",
        "ambiguous": "Cie Inc Ltd",
        "eras": "J.-C av.J.-C apr.J.-C",
        "terminal": "etc",
        "units": "",
        "starters": """
            le la les l un une des d de du ce cet cette ces c ceci cela ça il elle ils elles on nous
            vous je j s si se son sa ses leur leurs notre nos votre mais et ou donc or car ni en dans
            au aux à pour par sur sous selon depuis avec sans après avant lors pendant entre contre
            vers chez parmi quand comme lorsque puisque bien cependant toutefois néanmoins pourtant
            ainsi puis alors enfin ensuite aussi aujourd hier demain déjà qui que
            quoi où pourquoi comment tous tout toute toutes plusieurs certains certaines aucun aucune
            chaque ne pas non plus""",
    },
    "es": {
        "nonterminal": """
            Sr Sra Sres Sras Srta Srs sr sra sres sras srta srs Dr Dra Dres Lic Ing Prof Excmo Excma
            Exmo Exma Ilmo Ilma Rvdo Mons S.E SS.EE SS.MM S.M Ud Uds Vd Vds Dña Av Avda Gral Cnel Tte
            Sto Sta p.ej cf vid aprox ca EE""",
        "before_number": """
            art arts núm nro n pág págs p pp cap vol ene feb abr jun jul ago sep sept oct nov
            dic""",
        "ambiguous": "UU Cía Ltda S.A S.L a.m p.m Inc Ltd",
        "eras": "a.C d.C",
        "terminal": "etc EE.UU",
        "units": "",
        "starters": """
            el la los las lo es un una unos unas este esta estos estas ese esa esos esas eso esto aquel
            aquella él ella ellos ellas nosotros yo usted se su sus sin en con por para de del desde
            durante según tras hacia hasta entre sobre contra ante bajo pero y o ni no si sí cuando
            como que al además también así hoy ayer ya aunque mientras luego después antes
            entonces todo toda todos todas cada otro otra otros otras algunos algunas muchos varios
            qué quién cómo dónde cuándo""",
    },
    "ru": {
        "nonterminal": """
            г гр т.е т.к т.н т.ч т.о см ср им ул пл пер просп наб обл д кв проф акад доц канд
            ген полк зам пос дер св тов напр прим""",
        "before_number": """
            ст п пп ч гл разд прил стр рис табл янв фев февр мар апр авг сент сен окт нояб ноя
            дек""",
        "ambiguous": "пр мин вв гг",
        "eras": "н.э",
        "terminal": "т.д т.п др",
        "units": "г гг в вв тыс млн млрд трлн руб долл коп км см кг гр чел",
        "starters": """
            в во на по с со к ко о об у из за от до для при через после перед над под между это этот
            эта эти он она оно они мы я вы ты его её ее их но и а однако также кроме как так когда
            если хотя тем поэтому вместе сегодня вчера завтра здесь там все всё не ни уже еще ещё
            затем потом согласно вот такой такие такая таким кто что где почему зачем сейчас теперь
            именно лишь только один одна одно""",
    },
}

#: Rules for languages without tuned lists: only international abbreviations, no sentence openers
#: (so ambiguous tokens such as dotted acronyms never end a sentence).
GENERIC: dict[str, str] = {
    "nonterminal": "Mr Mrs Ms Dr Prof e.g i.e cf vs ca",
    "before_number": "No Nr",
    "ambiguous": "",
    "eras": "",
    "terminal": "etc",
    "units": "",
    "starters": "",
}
