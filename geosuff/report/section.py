"""A report section: its heading and body, or the note saying why it is left out."""

from __future__ import annotations

from dataclasses import dataclass

from geosuff.report.fmt import esc

__all__ = ["Section", "note"]


@dataclass(frozen=True)
class Section:
    """One section of the report.

    Attributes
    ----------
    key
        Anchor id (``"findings"``, ``"supply"``...).
    title
        Heading (plain text).
    body
        HTML body (already escaped), empty when the section is left out.
    omitted
        Why the section is left out (plain text), or ``None``.
    """

    key: str
    title: str
    body: str = ""
    omitted: str | None = None

    def html(self) -> str:
        """Return the section as HTML (a left-out section keeps its heading and note)."""
        if self.omitted is not None:
            return (
                f'<section id="{esc(self.key)}" class="rsec omitted"><h2>{esc(self.title)}</h2>'
                f"{note('Not included: ' + self.omitted)}</section>"
            )
        head = f'<section id="{esc(self.key)}" class="rsec"><h2>{esc(self.title)}</h2>'
        return f"{head}{self.body}</section>"


def note(text: str, *, kind: str = "note") -> str:
    """Return a note paragraph (plain text, escaped).

    Parameters
    ----------
    text
        The note.
    kind
        CSS class: ``"note"`` or ``"caveat"``.

    Returns
    -------
    str
        HTML.
    """
    return f'<p class="{esc(kind)}">{esc(text)}</p>'
