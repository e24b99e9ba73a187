"""Errors and warnings that carecap raises on purpose."""

from __future__ import annotations


class InputError(ValueError):
    """Bad input: a file that cannot be read, parsed or validated.

    Every problem names the file, the record and the field; all problems found in
    one file are reported together. The CLI turns this into exit code 2.

    Parameters
    ----------
    source
        The file (or other input) the problems were found in.
    problems
        One line per problem, each naming the record and the field.
    """

    def __init__(self, source: str, problems: list[str]):
        self.source = source
        self.problems = list(problems)
        super().__init__(self.__str__())

    def __str__(self) -> str:
        return "\n".join(f"{self.source}: {problem}" for problem in self.problems)
