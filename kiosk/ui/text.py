"""Text that fits its box: balanced line breaks, shrink-to-fit, and an ellipsis only as the last resort.

Lines break at spaces and after hyphens (a double-barrelled name breaks as "Konstantinopolskaya-" /
"Vasilyeva"), never at a no-break space (Babel groups thousands with one, so "1 240" stays whole) nor after a
one-letter word.
Of all the ways to set a text in the fewest lines, :func:`wrap` picks the most even, and a last word does not
hang alone when the line above can give it company.

    >>> import pygame; _ = pygame.font.init()
    >>> from kiosk.content.theme import installed_font
    >>> font = pygame.font.Font(installed_font("Inter-Regular.otf"), 20)
    >>> greedy_first = "Members: points, offers and a prize"
    >>> wrap("Members: points, offers and a prize wheel.", font, font.size(greedy_first)[0])
    ['Members: points, offers', 'and a prize wheel.']
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import pygame

Colour = tuple[int, int, int]
FontAt = Callable[[int], pygame.font.Font]
"""A typeface at a pixel size: how :func:`fit` tries smaller sizes."""

ELLIPSIS = "…"
_BREAK = re.compile(r"(?<=-)(?=\S)| +")  # after a hyphen inside a word, or at (ordinary) spaces
Piece = tuple[str, str]
"""A piece of text no line breaks inside, and its glue: what goes before it when it stays on the line."""


def _pieces(text: str) -> list[Piece]:
    text = text.strip(" ")
    pieces, position, glue = [], 0, ""
    for match in _BREAK.finditer(text):
        pieces.append((text[position:match.start()], glue))
        glue = " " if match.group() else ""
        position = match.end()
    pieces.append((text[position:], glue))
    return _bind_single_letters([(piece, glue) for piece, glue in pieces if piece])


def _bind_single_letters(pieces: list[Piece]) -> list[Piece]:
    """A one-letter word ("a", "и", "у", "å") stays with the word after it, as typesetters keep it in each of
    the three languages: a line never ends in "Впервые у".

    >>> _bind_single_letters([("Впервые", ""), ("у", " "), ("нас?", " ")])
    [('Впервые', ''), ('у нас?', ' ')]
    """
    bound: list[Piece] = []
    for piece, glue in pieces:
        if bound and len(bound[-1][0]) == 1 and bound[-1][0].isalpha() and glue == " ":
            bound[-1] = (bound[-1][0] + " " + piece, bound[-1][1])
        else:
            bound.append((piece, glue))
    return bound


def _join(line: list[Piece]) -> str:
    return line[0][0] + "".join(glue + piece for piece, glue in line[1:]) if line else ""


def _greedy(pieces: list[Piece], font: pygame.font.Font, width: int) -> list[list[Piece]]:
    lines: list[list[Piece]] = []
    line: list[Piece] = []
    for piece in pieces:
        if line and font.size(_join([*line, piece]))[0] > width:
            lines.append(line)
            line = [piece]
        else:
            line.append(piece)
    return [*lines, line] if line else lines


def _no_lone_last(lines: list[list[Piece]], font: pygame.font.Font, width: int) -> list[list[Piece]]:
    """Give a last word alone on its line the word before it, when both still fit ``width``."""
    if len(lines) < 2 or len(lines[-1]) > 1 or len(lines[-2]) < 3:
        return lines
    moved = [lines[-2][-1], *lines[-1]]
    if font.size(_join(moved))[0] > width:
        return lines
    return [*lines[:-2], lines[-2][:-1], moved]


def wrap(text: str, font: pygame.font.Font, width: int) -> list[str]:
    """``text`` in as few lines as fit ``width`` pixels, and among those the most even (the least sum of
    squared room left on each line, found by dynamic programming over the break points); then a last word left
    alone takes the word before it along where that fits. A piece wider than ``width`` on its own keeps its
    line: :func:`fit` shrinks the type for it."""
    pieces = _pieces(text)
    lines = _greedy(pieces, font, width)
    if len(lines) >= 2:
        lines = _even(pieces, len(lines), font, width) or lines
    return [_join(line) for line in _no_lone_last(lines, font, width)]


def _even(pieces: list[Piece], count: int, font: pygame.font.Font, width: int) -> list[list[Piece]] | None:
    """``pieces`` in ``count`` lines that fit ``width`` with the room left on them as even as can be."""
    total = len(pieces)
    room: dict[tuple[int, int], float] = {}
    for start in range(total):
        for end in range(start + 1, total + 1):
            used = font.size(_join(pieces[start:end]))[0]
            if used > width and end > start + 1:
                break
            room[start, end] = max(0, width - used)
    # best[k][end]: (cost, start of the last line) of setting pieces[:end] in k lines
    best: list[dict[int, tuple[float, int]]] = [{0: (0.0, 0)}]
    for k in range(1, count + 1):
        row: dict[int, tuple[float, int]] = {}
        for (start, end), left in room.items():
            if start in best[k - 1]:
                cost = best[k - 1][start][0] + left * left
                if end not in row or cost < row[end][0]:
                    row[end] = (cost, start)
        best.append(row)
    if total not in best[count]:
        return None
    lines, end = [], total
    for k in range(count, 0, -1):
        start = best[k][end][1]
        lines.append(pieces[start:end])
        end = start
    return lines[::-1]


@dataclass(frozen=True)
class Block:
    """Lines of text set in one font (at ``px`` pixels), ready to draw; ``size`` is the box they take."""

    lines: tuple[str, ...]
    font: pygame.font.Font
    line_height: int
    px: int
    shrunk: bool = False  # set smaller than asked, to fit
    cut: bool = False  # ended with an ellipsis: nothing smaller fitted

    @property
    def size(self) -> tuple[int, int]:
        if not self.lines:
            return 0, 0
        width = max(self.font.size(line)[0] for line in self.lines)
        return width, (len(self.lines) - 1) * self.line_height + self.font.get_height()

    def draw(self, screen: pygame.Surface, box: pygame.Rect, colour: Colour, align: str = "left",
             valign: str = "top") -> pygame.Rect:
        """Draw into ``box`` (``align``: left, centre, right; ``valign``: top, middle, bottom); returns the
        rectangle the text covers."""
        height = self.size[1]
        top = {"top": box.top, "middle": box.centery - height // 2, "bottom": box.bottom - height}[valign]
        covered = pygame.Rect(box.left, top, 0, 0)
        for i, line in enumerate(self.lines):
            surface = self.font.render(line, True, colour)
            rect = surface.get_rect(top=top + i * self.line_height)
            if align == "centre":
                rect.centerx = box.centerx
            elif align == "right":
                rect.right = box.right
            else:
                rect.left = box.left
            screen.blit(surface, rect)
            covered = rect if i == 0 else covered.union(rect)
        return covered


def fit(text: str, font_at: FontAt, box: tuple[int, int], size: int, *, min_size: int | None = None,
        line: float = 1.2, max_lines: int = 3) -> Block:
    """``text`` at the largest pixel size from ``size`` down to ``min_size`` (default: half of it) whose
    balanced lines fit ``box`` (width, height) in at most ``max_lines``; if none does, at ``min_size`` with
    the overflow cut off behind an ellipsis."""
    width, height = box
    smallest = min_size or max(1, size // 2)

    def block_at(px: int) -> Block:
        font = font_at(px)
        return Block(tuple(wrap(text, font, width)), font, round(px * line), px, shrunk=px < size)

    def fits(block: Block) -> bool:
        block_width, block_height = block.size
        return len(block.lines) <= max_lines and block_width <= width and block_height <= height

    best = block_at(size)
    if fits(best):
        return best
    low, high = smallest, size - 1
    found = None
    while low <= high:  # the largest size that fits; fitting is (near enough) monotonic in the size
        middle = (low + high) // 2
        trial = block_at(middle)
        if fits(trial):
            found, low = trial, middle + 1
        else:
            high = middle - 1
    return found or _cut(block_at(smallest), width, height, max_lines)


def _cut(block: Block, width: int, height: int, max_lines: int) -> Block:
    """The lines that fit the box, the last one ending in an ellipsis."""
    room = max(1, min(max_lines, 1 + (height - block.font.get_height()) // max(1, block.line_height)))
    lines = list(block.lines[:room])
    last = lines[-1] if len(block.lines) <= room else lines[-1] + " " + " ".join(block.lines[room:])
    lines[-1] = ellipsize(last, block.font, width)
    lines = [ellipsize(line, block.font, width) for line in lines]
    return Block(tuple(lines), block.font, block.line_height, block.px, shrunk=True, cut=True)


def ellipsize(line: str, font: pygame.font.Font, width: int) -> str:
    """``line`` if it fits ``width``, else as much of it as fits followed by an ellipsis.

    >>> from kiosk.content.theme import installed_font
    >>> font = pygame.font.Font(installed_font("Inter-Regular.otf"), 20)
    >>> ellipsize("Konstantinopolskaya", font, font.size("Konstan…")[0])
    'Konstan…'
    """
    if font.size(line)[0] <= width:
        return line
    low, high = 0, len(line)
    while low < high:  # the longest prefix that fits with the ellipsis
        middle = (low + high + 1) // 2
        if font.size(line[:middle].rstrip(" -") + ELLIPSIS)[0] <= width:
            low = middle
        else:
            high = middle - 1
    return line[:low].rstrip(" -") + ELLIPSIS
