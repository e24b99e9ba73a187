"""Dutch public holidays that carry holiday ORT and count as holiday ANW shifts.

The list follows the CAO Ziekenhuizen holiday list quoted in `shared/domain.md` §2.2
([S33]): New Year's Day, Easter Sunday and Monday, King's Day, Liberation Day, Ascension
Day, Whit Sunday and Monday, Christmas Day and Boxing Day. Good Friday is not on it.
Liberation Day is counted every year by default (hospital CAO); whether VVT/GHZ do so
is unverified, so it is a parameter.

``dateutil.easter`` (a pandas dependency) supplies the Easter date rather than a
hand-written computus.
"""

from __future__ import annotations

from datetime import date, timedelta

from dateutil.easter import easter


def dutch_public_holidays(year: int, *, liberation_day: bool = True) -> dict[date, str]:
    """Returns the Dutch public holidays of ``year`` that carry holiday ORT.

    Parameters
    ----------
    year
        Calendar year.
    liberation_day
        Count 5 May every year (the hospital CAO does; other CAOs may not).

    Returns
    -------
    dict
        Date to Dutch holiday name, in date order.
    """
    easter_sunday = easter(year)
    kings_day = date(year, 4, 27)
    if kings_day.weekday() == 6:
        # King's Day moves to Saturday when 27 April is a Sunday.
        kings_day = date(year, 4, 26)
    days = {
        date(year, 1, 1): "Nieuwjaarsdag",
        easter_sunday: "Eerste Paasdag",
        easter_sunday + timedelta(days=1): "Tweede Paasdag",
        kings_day: "Koningsdag",
        easter_sunday + timedelta(days=39): "Hemelvaartsdag",
        easter_sunday + timedelta(days=49): "Eerste Pinksterdag",
        easter_sunday + timedelta(days=50): "Tweede Pinksterdag",
        date(year, 12, 25): "Eerste Kerstdag",
        date(year, 12, 26): "Tweede Kerstdag",
    }
    if liberation_day:
        days[date(year, 5, 5)] = "Bevrijdingsdag"
    return dict(sorted(days.items()))


def holidays_between(
    first: date, last: date, *, liberation_day: bool = True
) -> dict[date, str]:
    """Returns the Dutch public holidays from ``first`` to ``last`` inclusive."""
    found: dict[date, str] = {}
    for year in range(first.year, last.year + 1):
        for day, name in dutch_public_holidays(
            year, liberation_day=liberation_day
        ).items():
            if first <= day <= last:
                found[day] = name
    return found
