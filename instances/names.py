"""Synthetic Dutch-looking names for the people of generated regions.

A generated person gets a first name and a surname drawn from lists of names common in
the Dutch care workforce: Dutch names with their tussenvoegsels ("de Vries", "van der
Meer", "van 't Hoff", "in 't Veld"), names of Turkish, Moroccan, Surinamese, Antillean,
Indonesian and Moluccan origin, and names of the EU workers in Dutch care. Some first
names are hyphenated ("Anne-Marie"), some names carry diacritics ("Zoë", "Şahin") and
some women use a double surname ("de Vries-Bakker"), so that every reader and writer of
names meets them in generated regions. The names are test data: any likeness to a real
person is chance.

The names are personal data in the eyes of every export: never log them.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from itertools import accumulate

import numpy as np

WOMEN_SHARE = 0.85
"""Share of women in Dutch care and welfare work (CBS: about 84 %) (U)."""

DOUBLE_SURNAME_SHARE = 0.05
"""Share of women who use a double surname, their own joined to a partner's (U)."""

DRAWS_PER_NAME = 10
"""Draws tried for a name not used yet in the region before a repeat is accepted;
repeats then stay rare up to the largest preset (XL, about 20,000 people)."""


def is_marked(name: str) -> bool:
    """Returns whether a name holds a diacritic or other non-ASCII letter, an
    apostrophe or a hyphen: the characters that break naive readers and writers."""
    return not name.isascii() or "'" in name or "-" in name


class _Names:
    """A list of names, drawn uniformly or with a set share of marked names.

    Parameters
    ----------
    text
        The names, separated by commas; runs of white space count as one space.
    marked_share
        Chance that a draw is one of the marked names (`is_marked`); ``None`` draws
        every name alike, for lists whose marks belong to the language.
    """

    def __init__(self, text: str, marked_share: float | None = None):
        names = tuple(" ".join(name.split()) for name in text.split(","))
        self.marked = tuple(name for name in names if is_marked(name))
        self.plain = tuple(name for name in names if not is_marked(name))
        self.marked_share = marked_share

    @property
    def names(self) -> tuple[str, ...]:
        """Returns every name of the list."""
        return self.plain + self.marked

    def pick(self, rng: np.random.Generator) -> str:
        """Returns one name drawn with ``rng``."""
        if self.marked_share is None:
            names = self.names
        elif rng.random() < self.marked_share:
            names = self.marked
        else:
            names = self.plain
        # rng.random() rather than rng.integers: a fifth of the time per name.
        return names[int(rng.random() * len(names))]


@dataclass(frozen=True)
class _Origin:
    """First names and surnames of one origin group, and its share of the people."""

    share: float
    women: _Names
    men: _Names
    surnames: _Names


_DUTCH_SURNAMES = _Names(
    """
    de Jong, Jansen, de Vries, van den Berg, van Dijk, Bakker, Janssen, Visser, Smit,
    Meijer, de Boer, Mulder, de Groot, Bos, Vos, Peters, Hendriks, van Leeuwen, Dekker,
    Brouwer, de Wit, Dijkstra, Smits, de Graaf, van der Meer, van der Linden, Kok,
    Jacobs, de Haan, Vermeulen, van den Heuvel, van der Veen, van den Broek, de Bruijn,
    de Bruin, van der Heijden, Schouten, van Beek, Willems, van Vliet, van de Ven,
    Hoekstra, Maas, Verhoeven, Koster, van Dam, van der Wal, Prins, Blom, Huisman,
    Peeters, de Lange, van der Ploeg, Kuipers, Veenstra, Post, Kramer, van Wijk,
    Timmermans, Groen, Gerritsen, van Dongen, Wouters, Postma, ter Horst, ten Brink,
    op de Beek, van Os, Claassen, Boersma, Evers, van der Laan, Hermans, Scholten,
    Molenaar, van Doorn, Martens, Schipper, Sanders, Verbeek, Wijnands, Zwart, Kuiper,
    van Rijn, Hoogendoorn, Bosman, van Loon, de Ridder, Mertens, van Vugt, Roelofs,
    Brink, van Essen, Lammers, Heijnen, van Schaik, Spijkerman, Wolters, Bijl, Vink,
    Boon, Verhagen, de Jonge, van der Velden, Hoek, van den Bosch, Koning, Kooij,
    Dijkman, Brands, de Kok, Kuijpers, Jonker, Meijers, Verschuren, Driessen, Pronk,
    Kroon, Bouwman, van Dalen, de Koning, van Gils, Rutten, Aarts, Steenbergen, Hofman,
    Vogel, van Zanten, Sluiter, Oosterhuis, Nijhuis, Wessels, Bruins, Zijlstra, de Vos,
    Keizer, Hoekman, Koopman, Mol, van Veen, Wijnen, van Rooij, van der Zee, Geerts,
    Coenen, Goossens, Bouma, de Wilde, van Ginkel, Kamphuis, Huizinga, Schuurman,
    Heemskerk, van Gent, van Wijngaarden, Hamers, Tromp, Wijers, Reijnders, Slot,
    Veldman, van Eijk, Kemper, Lubbers, Terpstra, van Hout, Vermeer, Dam, van 't Hoff,
    in 't Veld, van 't Zand, 't Hart, van 't Hof, in 't Hout, van 't Wout, 't Hooft,
    van 't Veer, in 't Zandt, van 't Riet, 't Lam
    """,
    marked_share=0.03,
)

_ORIGINS: tuple[_Origin, ...] = (
    _Origin(
        0.72,
        women=_Names(
            """
            Anne, Sanne, Lisa, Emma, Sophie, Julia, Fleur, Lotte, Eva, Iris, Femke,
            Marieke, Ingrid, Petra, Monique, Wilma, Annemiek, Esther, Linda, Marloes,
            Ilse, Joke, Hanneke, Karin, Yvonne, Saskia, Mirjam, Sandra, Astrid, Inge,
            Anouk, Noor, Lieke, Daphne, Els, Gerda, Jolanda, Ria, Tineke, Manon, Nicole,
            Bianca, Kim, Laura, Maaike, Renske, Wendy, Claudia, Ellen, Margriet,
            Jacqueline, Mieke, Annet, Roos, Isa, Mila, Jet, Tessa, Nina, Anja, Annelies,
            Annemarie, Bea, Carla, Charlotte, Corine, Dorien, Eline, Elise, Elles,
            Esmee, Evelien, Floor, Francien, Gea, Geertje, Hester, Hilde, Ineke, Irene,
            Jantine, Janneke, Jeanette, Jenny, Joyce, Judith, Karlijn, Kirsten, Lianne,
            Lies, Lindsey, Loes, Lonneke, Maartje, Marjan, Marjolein, Marian, Martine,
            Mariska, Melanie, Merel, Miranda, Nathalie, Nienke, Paula, Pauline, Rianne,
            Rosa, Sabine, Simone, Sonja, Suzanne, Thea, Tamara, Trees, Vera, Willeke,
            Yvette, Nadine, Demi, Britt, Romy, Amber, Bo, Jasmijn, Maud, Noa, Yara, Zoë,
            Chloë, Daniëlle, Mariëlle, Désirée, Renée, Anaïs, Joëlle, Noëlle, Michèle,
            Hélène, Thérèse, Gaëlle, Anne-Marie, Anne-Fleur, Marie-José, Anne-Sophie,
            Eva-Maria, Marie-Louise, Anne-Wil
            """,
            marked_share=0.1,
        ),
        men=_Names(
            """
            Jan, Pieter, Kees, Bas, Thijs, Daan, Sem, Lucas, Ruben, Tim, Jeroen, Mark,
            Martijn, Sander, Erik, Wouter, Niels, Joost, Gert, Henk, Willem, Ruud,
            Stijn, Koen, Bram, Frank, Johan, Dennis, Rik, Jesse, Arjan, Bart, Berend,
            Dirk, Edwin, Gerrit, Hans, Jasper, Kevin, Lars, Marco, Maarten, Michiel,
            Nick, Patrick, Paul, Peter, Remco, Rob, Robin, Roel, Sjoerd, Teun, Tom,
            Vincent, Wim, René, Noël, Raphaël, Joël, Michaël, Jan-Willem, Jan-Peter,
            Pieter-Jan, Klaas-Jan
            """,
            marked_share=0.08,
        ),
        surnames=_DUTCH_SURNAMES,
    ),
    _Origin(
        0.06,
        women=_Names(
            """
            Ayşe, Elif, Fatma, Zeynep, Emine, Hatice, Özlem, Büşra, Gülsen, Songül,
            Derya, Esra, Merve, Sibel, Melek, Aylin, Hülya, Sevgi, Tuğba, Kübra, Nur
            """
        ),
        men=_Names(
            """
            Mehmet, Mustafa, Hüseyin, Gökhan, Serkan, Emre, Burak, Ömer, Murat, Hakan
            """
        ),
        surnames=_Names(
            """
            Yılmaz, Şahin, Çelik, Demir, Kaya, Öztürk, Yıldız, Aydın, Özdemir, Arslan,
            Doğan, Kılıç, Koç, Kurt, Polat, Erdoğan, Aksoy, Güneş, Uçar, Karataş, Kara,
            Aslan, Çetin, Yavuz, Özkan, Bulut, Tekin, Keskin
            """  # noqa: RUF001 (the Turkish dotless i is meant)
        ),
    ),
    _Origin(
        0.07,
        women=_Names(
            """
            Fatima, Khadija, Nadia, Samira, Hanane, Imane, Naïma, Aïcha, Ilham, Malika,
            Loubna, Siham, Meryem, Houda, Karima, Salma, Yasmina, Soumaya, Najat, Hafsa,
            Latifa, Btissam, Sanae, Zineb
            """,
            marked_share=0.1,
        ),
        men=_Names(
            """
            Mohammed, Youssef, Karim, Soufiane, Hamid, Rachid, Said, Bilal, Anouar,
            Mounir, Ayoub, Hicham
            """
        ),
        surnames=_Names(
            """
            El Idrissi, Bouzid, Benali, Amrani, El Khattabi, Bakkali, Ouali, Boukhari,
            Azzouzi, El Hamdaoui, Bouali, Chaouch, El Amrani, Haddouchi, Ziani, Belhaj,
            Tahiri, Aarab, Ouahabi, El Ouardi, Bouhaddou, Chakir, Mansouri,
            El Boujddaini, Akkouh, Lamrabet, Aït Ali, Zaïdi, Aït Hamou
            """,
            marked_share=0.08,
        ),
    ),
    _Origin(
        0.07,
        women=_Names(
            """
            Sharda, Anita, Priya, Shanti, Rachelle, Gerda, Sandra, Astrid, Reshma,
            Sunita, Marlies, Jennifer, Ingrid, Kavita, Sylvana, Romy, Chandra, Usha,
            Ruth, Gisela, Melissa, Shirley
            """
        ),
        men=_Names(
            """
            Rajesh, Ravi, Romano, Jerrel, Quincy, Marvin, Sunil, Remy, Dinesh, Humphrey,
            Clarence, Anand
            """
        ),
        surnames=_Names(
            """
            Ramdin, Jagroep, Ramcharan, Sewnath, Baldewsingh, Mahabier, Pinas, Kanhai,
            Karijo, Sardjoe, Kartodikromo, Wong Loi Sing, Dwarka, Ritfeld, Biharie,
            Lachman, Monsanto, Ramsaran, Soekhoe, Bhagwandin, Jadnanansing, Doekhie,
            Brunings, Kromodimedjo, Tjon-A-Fat, Tjin-A-Djie, Fung-A-Loi, Tjon-A-Joe
            """,
            marked_share=0.08,
        ),
    ),
    _Origin(
        0.02,
        women=_Names(
            """
            Shirley, Jacinta, Glenda, Natasha, Rosemary, Sherida, Ivette, Mariëtte,
            Jurgenia, Chanella
            """
        ),
        men=_Names("Giovanni, Rudsel, Jurickson, Glenn, Ronald, Shurandy"),
        surnames=_Names(
            """
            Martina, Isenia, Cijntje, Maduro, Rosaria, Cicilia, Profas, Winklaar,
            Girigorie, Janga, Croes, Leito, Doran, Pietersz, Sulvaran, Bakhuis
            """
        ),
    ),
    _Origin(
        0.03,
        women=_Names(
            """
            Dewi, Indah, Sari, Putri, Ratna, Wulan, Yolanda, Grace, Josina, Ketty,
            Louise, Wilhelmina
            """
        ),
        men=_Names("Budi, Agus, Johannes, Frans, Benny, Ronny, Eddy, Max"),
        surnames=_Names(
            """
            Latuheru, Pattiasina, Tahapary, Sahetapy, Wattimena, Manuhutu, Soplanit,
            Matulessy, Siahaya, Tanasale, Hadiwidjojo, Sudiono, Kusuma, Wibowo,
            Lekatompessy, Tuhumury, Pattipeilohy, Nanlohy
            """
        ),
    ),
    _Origin(
        0.03,
        women=_Names(
            """
            Agnieszka, Małgorzata, Katarzyna, Joanna, Ewa, María, Lucía, Inês, Beatriz,
            Ana, Andreea, Ioana
            """
        ),
        men=_Names("Łukasz, Tomasz, Piotr, José, João, Andrei"),
        surnames=_Names(
            """
            Kowalczyk, Wiśniewska, Dąbrowska, Wójcik, Nowak, Kamińska, Jiménez, García,
            Martínez, Fernández, González, Gonçalves, Simões, Popescu, Ionescu, Silva,
            Santos
            """
        ),
    ),
)


_ORIGIN_BOUNDS = [
    total / sum(o.share for o in _ORIGINS)
    for total in accumulate(o.share for o in _ORIGINS)
][:-1]
"""Cumulative origin shares, the last (1) left out, to draw an origin with `bisect`
(``rng.choice`` with weights takes most of the time of a name)."""


def _draw(rng: np.random.Generator) -> str:
    """Returns one full name: first name, then surname (double for some women)."""
    origin = _ORIGINS[bisect.bisect_right(_ORIGIN_BOUNDS, rng.random())]
    woman = rng.random() < WOMEN_SHARE
    first = (origin.women if woman else origin.men).pick(rng)
    surname = origin.surnames.pick(rng)
    if woman and rng.random() < DOUBLE_SURNAME_SHARE:
        # Most double surnames in the Netherlands join a Dutch partner's name.
        other = _DUTCH_SURNAMES.pick(rng)
        if other != surname:
            surname = f"{surname}-{other}"
    return f"{first} {surname}"


def synthetic_names(count: int, rng: np.random.Generator) -> list[str]:
    """Returns ``count`` synthetic Dutch-looking full names, mostly all different.

    Parameters
    ----------
    count
        Number of names.
    rng
        Generator the names are drawn from; the same state gives the same names.

    Returns
    -------
    list[str]
        Names as "first name surname", tussenvoegsels in lower case ("Anne-Marie van
        't Hoff"), in Unicode NFC. A name is drawn again, up to `DRAWS_PER_NAME`
        times, while it is already in the list.
    """
    names: list[str] = []
    used: set[str] = set()
    for _ in range(count):
        for _ in range(DRAWS_PER_NAME):
            name = _draw(rng)
            if name not in used:
                break
        names.append(name)
        used.add(name)
    return names
