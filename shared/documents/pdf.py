"""The page every document prints on: fpdf2 with core fonts, the company header and footer, and
text that never fails on a character the fonts lack."""

from collections.abc import Sequence
from typing import Literal

from fpdf import FPDF
from fpdf.enums import XPos, YPos

from shared.company import CompanyProfile
from shared.documents.text import latin1

FONT = "Helvetica"
# Page geometry and type sizes are fpdf floats (millimetres, points): layout, never money.
Millimetres = float
Points = float
Align = Literal["L", "R", "C"]


class Document(FPDF):
    """Header: the company's legal name, address and contact; footer: name, `footer_label` and
    page number. Sizes are millimetres (fpdf's unit; layout, not money)."""

    def __init__(
        self,
        company: CompanyProfile,
        *,
        title: str,
        footer_label: str = "",
        page_format: Literal["A4", "Letter"] = "Letter",
        margin_mm: Millimetres = 10,
        header: bool = True,
    ) -> None:
        super().__init__(format=page_format)
        self.company, self.footer_label, self.show_header = company, footer_label, header
        self.set_margins(margin_mm, margin_mm, margin_mm)
        self.set_auto_page_break(auto=True, margin=margin_mm + 10)
        self.set_title(latin1(title))
        self.set_author(latin1(company.legal_name))
        self.set_font(FONT, size=10)

    def normalize_text(self, text: str) -> str:
        # fpdf calls this for every cell, multi_cell and write: fold before it encodes.
        return super().normalize_text(latin1(text))

    def header(self) -> None:
        if not self.show_header:
            return
        self.set_font(FONT, "B", 14)
        self.cell(0, 7, self.company.legal_name, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_font(FONT, size=9)
        for line in [*self.company.address, *self.company.contact]:
            self.cell(0, 4.5, line, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.ln(4)
        self.set_font(FONT, size=10)

    def footer(self) -> None:
        self.set_y(-15)
        self.set_font(FONT, size=8)
        parts = [self.company.legal_name, self.footer_label, f"page {self.page_no()}"]
        self.cell(0, 5, " - ".join(part for part in parts if part), align="C")

    def heading(self, text: str, size: Points = 12) -> None:
        self.set_font(FONT, "B", size)
        self.cell(0, size * 0.6, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_font(FONT, size=10)

    def paragraph(self, text: str, line_height_mm: Millimetres = 5) -> None:
        self.multi_cell(0, line_height_mm, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    def simple_table(
        self,
        columns: Sequence[tuple[str, Millimetres, Align]],
        rows: Sequence[Sequence[str]],
        *,
        row_height_mm: Millimetres = 5.5,
        font_size: Points = 9,
    ) -> None:
        """A grey heading row of (title, width mm, alignment) and one line per row; long pages
        break between rows and repeat no heading."""
        self.set_font(FONT, "B", font_size)
        self.set_fill_color(230, 230, 230)
        for title, width, align in columns:
            self.cell(width, row_height_mm + 0.5, title, border="B", fill=True, align=align)
        self.ln()
        self.set_font(FONT, size=font_size)
        for row in rows:
            for (_, width, align), value in zip(columns, row, strict=True):
                self.cell(width, row_height_mm, value, align=align)
            self.ln()

    def render(self) -> bytes:
        return bytes(self.output())
