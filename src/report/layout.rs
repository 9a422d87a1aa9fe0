//! A small page layout engine on printpdf's operation lists: A4 pages with a running header
//! and "pagina x van y" footer, headings kept with what follows, wrapped paragraphs, tables
//! whose rows break across pages with the header row repeated, and images. Text is measured
//! with the embedded font's advance widths, so what is measured is what is drawn.
//!
//! Deterministic by construction: no clocks, no random ids, no hash-ordered collections.

use printpdf::{
    Color, FontId, Line, LinePoint, Op, PaintMode, ParsedFont, PdfFontHandle, PdfPage, Point, Pt,
    RawImage, RawImageData, RawImageFormat, Rect, Rgb, TextItem, XObjectId, XObjectTransform,
};
use std::sync::OnceLock;
use unicode_normalization::UnicodeNormalization;

pub const PAGE_W: f32 = 595.276;
pub const PAGE_H: f32 = 841.89;
pub const MARGIN: f32 = 48.0;
const CONTENT_TOP: f32 = PAGE_H - 64.0;
const CONTENT_BOTTOM: f32 = 56.0;
pub const CONTENT_W: f32 = PAGE_W - 2.0 * MARGIN;

const BODY: f32 = 9.0;
const LEAD: f32 = 11.5;
const PAD: f32 = 3.0;

pub static REGULAR_TTF: &[u8] = include_bytes!("../../assets/fonts/ProeveSans-Regular.ttf");
pub static BOLD_TTF: &[u8] = include_bytes!("../../assets/fonts/ProeveSans-Bold.ttf");

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Face {
    Regular,
    Bold,
}

impl Face {
    pub fn id(self) -> FontId {
        FontId(
            match self {
                Face::Regular => "FR",
                Face::Bold => "FB",
            }
            .into(),
        )
    }
}

/// The two embedded faces, parsed once per process.
pub struct Fonts {
    pub regular: ParsedFont,
    pub bold: ParsedFont,
}

impl Fonts {
    pub fn get() -> Option<&'static Fonts> {
        static FONTS: OnceLock<Option<Fonts>> = OnceLock::new();
        FONTS
            .get_or_init(|| {
                let mut warnings = Vec::new();
                Some(Fonts {
                    regular: ParsedFont::from_bytes(REGULAR_TTF, 0, &mut warnings)?,
                    bold: ParsedFont::from_bytes(BOLD_TTF, 0, &mut warnings)?,
                })
            })
            .as_ref()
    }

    fn face(&self, face: Face) -> &ParsedFont {
        match face {
            Face::Regular => &self.regular,
            Face::Bold => &self.bold,
        }
    }

    /// Text as it will be drawn: composed (NFC, so a decomposed "é" from a SIS renders as one
    /// glyph), control characters as spaces, anything the font lacks as U+FFFD.
    pub fn clean(&self, face: Face, text: &str) -> String {
        let f = self.face(face);
        text.nfc()
            .map(|c| {
                if c.is_control() {
                    ' '
                } else if f.lookup_glyph_index(c as u32).is_some() {
                    c
                } else {
                    '\u{FFFD}'
                }
            })
            .collect()
    }

    /// Width in points of (cleaned) text.
    pub fn width(&self, face: Face, size: f32, text: &str) -> f32 {
        let f = self.face(face);
        let units: u32 = text
            .chars()
            .filter_map(|c| f.lookup_glyph_index(c as u32))
            .filter_map(|g| f.get_glyph_width(g))
            .map(u32::from)
            .sum();
        units as f32 * size / f32::from(f.units_per_em.max(1))
    }

    /// Breaks text into lines no wider than `width`, at spaces where possible; explicit line
    /// breaks are kept; a word longer than a line is cut.
    pub fn wrap(&self, face: Face, size: f32, text: &str, width: f32) -> Vec<String> {
        let mut lines = Vec::new();
        for para in text.split('\n') {
            let para = self.clean(face, para);
            let mut line = String::new();
            for word in para.split(' ').filter(|w| !w.is_empty()) {
                let candidate = if line.is_empty() {
                    word.to_string()
                } else {
                    format!("{line} {word}")
                };
                if self.width(face, size, &candidate) <= width {
                    line = candidate;
                    continue;
                }
                if !line.is_empty() {
                    lines.push(std::mem::take(&mut line));
                }
                // The word alone: cut it where it does not fit.
                for c in word.chars() {
                    let mut next = line.clone();
                    next.push(c);
                    if !line.is_empty() && self.width(face, size, &next) > width {
                        lines.push(std::mem::take(&mut line));
                        line.push(c);
                    } else {
                        line = next;
                    }
                }
            }
            lines.push(line);
        }
        lines
    }
}

pub fn rgb(r: f32, g: f32, b: f32) -> Color {
    Color::Rgb(Rgb::new(r, g, b, None))
}

fn black() -> Color {
    rgb(0.0, 0.0, 0.0)
}

fn grey() -> Color {
    rgb(0.35, 0.35, 0.35)
}

/// One column of a table: its title and its share of the width.
pub struct Column {
    pub title: String,
    pub share: f32,
}

pub fn col(title: &str, share: f32) -> Column {
    Column {
        title: title.into(),
        share,
    }
}

#[derive(Clone)]
pub struct Cell {
    pub text: String,
    pub face: Face,
}

pub fn cell(text: impl Into<String>) -> Cell {
    Cell {
        text: text.into(),
        face: Face::Regular,
    }
}

pub fn bold(text: impl Into<String>) -> Cell {
    Cell {
        text: text.into(),
        face: Face::Bold,
    }
}

/// An image ready to embed: RGB pixels without an alpha channel (PDF/A: no transparency).
pub struct Image {
    pub width: usize,
    pub height: usize,
    pub rgb: Vec<u8>,
}

impl Image {
    /// Decodes a PNG and flattens it onto white paper.
    pub fn from_png(bytes: &[u8]) -> Option<Image> {
        let img = crate::evidence::thumbnail::png_on_white(bytes, 16 * 1024 * 1024)?;
        (img.width > 0 && img.height > 0).then_some(Image {
            width: img.width,
            height: img.height,
            rgb: img.px,
        })
    }

    pub fn raw(&self) -> RawImage {
        RawImage {
            pixels: RawImageData::U8(self.rgb.clone()),
            width: self.width,
            height: self.height,
            data_format: RawImageFormat::RGB8,
            tag: Vec::new(),
        }
    }
}

/// What the documents are written with: the PDF [`Layout`], or its HTML twin
/// ([`super::html::Html`]) that carries the same content for comparison and benchmarks.
pub trait Sink {
    fn title(&mut self, title: &str, subtitle: &str);
    fn heading(&mut self, text: &str);
    fn paragraph(&mut self, text: &str);
    /// Label / value rows.
    fn fields(&mut self, rows: &[(&str, String)]);
    /// A table with a header row, repeated on every page it runs onto.
    fn table(&mut self, cols: &[Column], rows: &[Vec<Cell>]);
    fn signatures(&mut self, blocks: &[SignatureBlock]);
    /// Keeps what follows (`h` points of it) on one page, if it fits on a page at all.
    fn keep_together(&mut self, h: f32);
}

impl Sink for Layout<'_> {
    fn title(&mut self, title: &str, subtitle: &str) {
        Layout::title(self, title, subtitle);
    }
    fn heading(&mut self, text: &str) {
        Layout::heading(self, text);
    }
    fn paragraph(&mut self, text: &str) {
        Layout::paragraph(self, text);
    }
    fn fields(&mut self, rows: &[(&str, String)]) {
        Layout::fields(self, rows);
    }
    fn table(&mut self, cols: &[Column], rows: &[Vec<Cell>]) {
        Layout::table(self, cols, rows);
    }
    fn signatures(&mut self, blocks: &[SignatureBlock]) {
        Layout::signatures(self, blocks);
    }
    fn keep_together(&mut self, h: f32) {
        Layout::keep_together(self, h);
    }
}

/// Pages being laid out.
pub struct Layout<'f> {
    pub fonts: &'f Fonts,
    pages: Vec<Vec<Op>>,
    y: f32,
    header: String,
    pub images: Vec<(XObjectId, RawImage)>,
}

impl<'f> Layout<'f> {
    pub fn new(fonts: &'f Fonts, header: &str) -> Self {
        let mut l = Layout {
            fonts,
            pages: Vec::new(),
            y: CONTENT_TOP,
            header: header.into(),
            images: Vec::new(),
        };
        l.new_page();
        l
    }

    fn ops(&mut self) -> &mut Vec<Op> {
        if self.pages.is_empty() {
            self.pages.push(Vec::new());
        }
        let last = self.pages.len() - 1;
        &mut self.pages[last]
    }

    fn new_page(&mut self) {
        self.pages.push(Vec::new());
        // One line: a name too long for it ends in an ellipsis rather than off the page.
        let lines = self
            .fonts
            .wrap(Face::Regular, 8.0, &self.header, CONTENT_W - 8.0);
        let header = match lines.as_slice() {
            [one] => one.clone(),
            [first, ..] => format!("{first} …"),
            [] => String::new(),
        };
        self.text_at(MARGIN, PAGE_H - 36.0, Face::Regular, 8.0, &header, grey());
        self.hline(PAGE_H - 42.0, 0.5);
        self.y = CONTENT_TOP;
    }

    fn at_top(&self) -> bool {
        self.y >= CONTENT_TOP
    }

    /// Starts a new page unless `h` points still fit on this one.
    pub fn ensure(&mut self, h: f32) {
        if self.y - h < CONTENT_BOTTOM && !self.at_top() {
            self.new_page();
        }
    }

    /// Keeps what follows (`h` points of it) on one page, if it fits on a page at all.
    pub fn keep_together(&mut self, h: f32) {
        if h <= CONTENT_TOP - CONTENT_BOTTOM {
            self.ensure(h);
        }
    }

    pub fn space(&mut self, h: f32) {
        self.y -= h;
    }

    pub fn text_at(&mut self, x: f32, y: f32, face: Face, size: f32, text: &str, color: Color) {
        let text = self.fonts.clean(face, text);
        self.ops().extend([
            Op::StartTextSection,
            Op::SetFillColor { col: color },
            Op::SetFont {
                font: PdfFontHandle::External(face.id()),
                size: Pt(size),
            },
            Op::SetTextCursor {
                pos: Point { x: Pt(x), y: Pt(y) },
            },
            Op::ShowText {
                items: vec![TextItem::Text(text)],
            },
            Op::EndTextSection,
        ]);
    }

    fn hline(&mut self, y: f32, thickness: f32) {
        self.line(MARGIN, y, PAGE_W - MARGIN, y, thickness);
    }

    fn line(&mut self, x1: f32, y1: f32, x2: f32, y2: f32, thickness: f32) {
        let p = |x: f32, y: f32| LinePoint {
            p: Point { x: Pt(x), y: Pt(y) },
            bezier: false,
        };
        self.ops().extend([
            Op::SetOutlineColor { col: grey() },
            Op::SetOutlineThickness { pt: Pt(thickness) },
            Op::DrawLine {
                line: Line {
                    points: vec![p(x1, y1), p(x2, y2)],
                    is_closed: false,
                },
            },
        ]);
    }

    fn rect(&mut self, x: f32, y: f32, w: f32, h: f32, fill: Option<Color>) {
        let mode = if fill.is_some() {
            PaintMode::FillStroke
        } else {
            PaintMode::Stroke
        };
        let fill = fill.unwrap_or_else(black);
        self.ops().extend([
            Op::SetFillColor { col: fill },
            Op::SetOutlineColor { col: grey() },
            Op::SetOutlineThickness { pt: Pt(0.4) },
            Op::DrawRectangle {
                rectangle: Rect {
                    x: Pt(x),
                    y: Pt(y),
                    width: Pt(w),
                    height: Pt(h),
                    mode: Some(mode),
                    winding_order: None,
                },
            },
        ]);
    }

    /// The document's title block.
    pub fn title(&mut self, title: &str, subtitle: &str) {
        let y = self.y - 16.0;
        self.text_at(MARGIN, y, Face::Bold, 18.0, title, black());
        self.y = y - 8.0;
        for line in self.fonts.wrap(Face::Regular, 11.0, subtitle, CONTENT_W) {
            self.y -= 14.0;
            let y = self.y;
            self.text_at(MARGIN, y, Face::Regular, 11.0, &line, black());
        }
        self.y -= 10.0;
    }

    /// A section heading, kept on a page with at least a few lines of what follows.
    pub fn heading(&mut self, text: &str) {
        // A long heading wraps (a section named after a long part would run off the page).
        let lines = self.fonts.wrap(Face::Bold, 11.5, text, CONTENT_W);
        self.space(8.0);
        self.ensure(5.0 + 13.0 * lines.len() as f32 + 8.0 * LEAD);
        for line in &lines {
            self.y -= 13.0;
            let y = self.y;
            self.text_at(MARGIN, y, Face::Bold, 11.5, line, black());
        }
        self.y -= 6.0;
    }

    pub fn paragraph(&mut self, text: &str) {
        self.paragraph_in(Face::Regular, text);
    }

    pub fn paragraph_in(&mut self, face: Face, text: &str) {
        for line in self.fonts.wrap(face, BODY, text, CONTENT_W) {
            self.ensure(LEAD);
            self.y -= LEAD;
            let y = self.y + 2.5;
            self.text_at(MARGIN, y, face, BODY, &line, black());
        }
        self.y -= 3.0;
    }

    /// Label / value rows.
    pub fn fields(&mut self, rows: &[(&str, String)]) {
        let cols = [col("", 0.3), col("", 0.7)];
        let rows: Vec<Vec<Cell>> = rows
            .iter()
            .map(|(k, v)| vec![bold(*k), cell(v.clone())])
            .collect();
        self.table_with(&cols, false, &rows);
    }

    /// A table with a header row, repeated on every page it runs onto.
    pub fn table(&mut self, cols: &[Column], rows: &[Vec<Cell>]) {
        self.table_with(cols, true, rows);
    }

    fn widths(cols: &[Column]) -> Vec<f32> {
        let total: f32 = cols.iter().map(|c| c.share).sum::<f32>().max(f32::EPSILON);
        cols.iter().map(|c| CONTENT_W * c.share / total).collect()
    }

    fn table_with(&mut self, cols: &[Column], header: bool, rows: &[Vec<Cell>]) {
        let widths = Self::widths(cols);
        let head: Vec<Cell> = cols.iter().map(|c| bold(c.title.clone())).collect();
        let wrapped = |l: &Self, row: &[Cell]| -> Vec<Vec<String>> {
            row.iter()
                .zip(&widths)
                .map(|(c, w)| l.fonts.wrap(c.face, BODY, &c.text, w - 2.0 * PAD))
                .collect()
        };
        let head_lines = wrapped(self, &head);
        let head_h = if header { height(&head_lines) } else { 0.0 };
        let mut first = true;
        for row in rows {
            let lines = wrapped(self, row);
            let total = lines.iter().map(Vec::len).max().unwrap_or(1).max(1);
            // A row moves to the next page whole; only a row taller than a page is split.
            let row_h = 2.0 * PAD + LEAD * total as f32;
            let body = if row_h + head_h <= CONTENT_TOP - CONTENT_BOTTOM {
                row_h
            } else {
                2.0 * PAD + LEAD * 2.0
            };
            let need = head_h * f32::from(u8::from(first)) + body;
            if self.y - need < CONTENT_BOTTOM && !self.at_top() {
                self.new_page();
                if header && !first {
                    self.draw_row(&widths, &head, &head_lines, 0, usize::MAX, true);
                }
            }
            if header && first {
                self.draw_row(&widths, &head, &head_lines, 0, usize::MAX, true);
            }
            first = false;
            let mut start = 0;
            loop {
                let fit = ((self.y - CONTENT_BOTTOM - 2.0 * PAD) / LEAD)
                    .floor()
                    .max(1.0) as usize;
                let n = fit.min(total - start);
                self.draw_row(&widths, row, &lines, start, n, false);
                start += n;
                if start >= total {
                    break;
                }
                self.new_page();
                if header {
                    self.draw_row(&widths, &head, &head_lines, 0, usize::MAX, true);
                }
            }
        }
        self.y -= 4.0;
    }

    /// Draws lines `start..start + n` of every cell of a row.
    fn draw_row(
        &mut self,
        widths: &[f32],
        row: &[Cell],
        lines: &[Vec<String>],
        start: usize,
        n: usize,
        head: bool,
    ) {
        let shown = lines
            .iter()
            .map(|l| l.len().saturating_sub(start).min(n))
            .max()
            .unwrap_or(0)
            .max(1);
        let h = shown as f32 * LEAD + 2.0 * PAD;
        let top = self.y;
        let mut x = MARGIN;
        for ((c, w), cell_lines) in row.iter().zip(widths).zip(lines) {
            let fill = head.then(|| rgb(0.9, 0.9, 0.9));
            self.rect(x, top - h, *w, h, fill);
            for (i, line) in cell_lines.iter().skip(start).take(n).enumerate() {
                let y = top - PAD - LEAD * (i as f32 + 1.0) + 2.5;
                self.text_at(x + PAD, y, c.face, BODY, line, black());
            }
            x += w;
        }
        self.y = top - h;
    }

    /// A signature box: the drawn image (or a statement), the name and the time.
    pub fn signatures(&mut self, blocks: &[SignatureBlock]) {
        const BOX_H: f32 = SIGNATURE_BOX;
        let w = (CONTENT_W - 12.0) / 2.0;
        for pair in blocks.chunks(2) {
            self.ensure(BOX_H + 6.0);
            let top = self.y;
            for (i, b) in pair.iter().enumerate() {
                let x = MARGIN + i as f32 * (w + 12.0);
                self.rect(x, top - BOX_H, w, BOX_H, None);
                self.text_at(x + 6.0, top - 13.0, Face::Bold, BODY, &b.role, black());
                match &b.image {
                    Some(img) => {
                        let id = XObjectId(format!("Sig{}", self.images.len() + 1));
                        let (max_w, max_h) = (w - 12.0, 56.0);
                        let scale = (max_w / img.width as f32).min(max_h / img.height as f32);
                        let ih = img.height as f32 * scale;
                        self.ops().push(Op::UseXobject {
                            id: id.clone(),
                            transform: XObjectTransform {
                                translate_x: Some(Pt(x + 6.0)),
                                translate_y: Some(Pt(top - 20.0 - ih)),
                                scale_x: Some(scale),
                                scale_y: Some(scale),
                                dpi: Some(72.0),
                                ..Default::default()
                            },
                        });
                        self.images.push((id, img.raw()));
                    }
                    None => {
                        let lines = self.fonts.wrap(Face::Regular, BODY, &b.statement, w - 12.0);
                        for (k, line) in lines.iter().take(4).enumerate() {
                            let y = top - 30.0 - LEAD * k as f32;
                            self.text_at(x + 6.0, y, Face::Regular, BODY, line, black());
                        }
                    }
                }
                let mut y = top - BOX_H + 6.0 + (b.lines.len() as f32 - 1.0) * 10.5;
                for line in &b.lines {
                    let line = fit(self.fonts, line, w - 12.0);
                    self.text_at(x + 6.0, y, Face::Regular, 8.5, &line, black());
                    y -= 10.5;
                }
            }
            self.y = top - BOX_H - 6.0;
        }
    }

    /// The finished pages, each with its footer: `left` and "pagina x van y".
    pub fn finish(mut self, left: &str) -> (Vec<PdfPage>, Vec<(XObjectId, RawImage)>) {
        let n = self.pages.len();
        let mut pages = std::mem::take(&mut self.pages);
        for (i, ops) in pages.iter_mut().enumerate() {
            let number = format!("pagina {} van {}", i + 1, n);
            let w = self.fonts.width(Face::Regular, 8.0, &number);
            let mut footer = Layout {
                fonts: self.fonts,
                pages: vec![Vec::new()],
                y: 0.0,
                header: String::new(),
                images: Vec::new(),
            };
            footer.hline(CONTENT_BOTTOM - 14.0, 0.5);
            let left = fit(self.fonts, left, CONTENT_W - w - 16.0);
            footer.text_at(
                MARGIN,
                CONTENT_BOTTOM - 26.0,
                Face::Regular,
                8.0,
                &left,
                grey(),
            );
            footer.text_at(
                PAGE_W - MARGIN - w,
                CONTENT_BOTTOM - 26.0,
                Face::Regular,
                8.0,
                &number,
                grey(),
            );
            ops.append(&mut footer.pages[0]);
        }
        let pages = pages
            .into_iter()
            .map(|ops| PdfPage::new(printpdf::Mm(210.0), printpdf::Mm(297.0), ops))
            .collect();
        (pages, self.images)
    }
}

pub struct SignatureBlock {
    pub role: String,
    pub image: Option<Image>,
    /// Shown where there is no image (a refusal, a signature still missing).
    pub statement: String,
    /// Under the signature: the name, the time, the account.
    pub lines: Vec<String>,
}

const SIGNATURE_BOX: f32 = 110.0;

/// The height [`Layout::signatures`] takes for `n` blocks.
pub fn signatures_height(n: usize) -> f32 {
    n.div_ceil(2) as f32 * (SIGNATURE_BOX + 6.0)
}

fn height(lines: &[Vec<String>]) -> f32 {
    lines.iter().map(Vec::len).max().unwrap_or(1).max(1) as f32 * LEAD + 2.0 * PAD
}

/// Cuts a single line to a width, ending in an ellipsis when it had to be cut.
fn fit(fonts: &Fonts, text: &str, width: f32) -> String {
    let text = fonts.clean(Face::Regular, text);
    if fonts.width(Face::Regular, 8.5, &text) <= width {
        return text;
    }
    let mut out = String::new();
    for c in text.chars() {
        let next = format!("{out}{c}…");
        if fonts.width(Face::Regular, 8.5, &next) > width {
            break;
        }
        out.push(c);
    }
    out.push('…');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_fonts_cover_european_names() {
        let Some(f) = Fonts::get() else {
            panic!("the embedded fonts do not parse");
        };
        let names =
            "Çelik Şahin Łukasz Żółć Dvořák Grüße Fañch Ærøskøbing Őrző Ștefan Ģirts Ĳsbrand";
        assert_eq!(f.clean(Face::Regular, names), names);
        assert_eq!(f.clean(Face::Bold, names), names);
        // A decomposed e + combining acute becomes one composed character.
        assert_eq!(f.clean(Face::Regular, "Rene\u{301}e"), "Renée");
        assert_eq!(f.clean(Face::Regular, "a\u{7}b\u{4E2D}"), "a b\u{FFFD}");
    }

    #[test]
    fn wrapping_never_exceeds_the_width_and_keeps_every_word() {
        let Some(f) = Fonts::get() else {
            panic!("the embedded fonts do not parse");
        };
        let text = "De kandidaat werkt veilig volgens de voorschriften van de werkplek en \
                    gebruikt persoonlijke beschermingsmiddelen; Donaudampfschifffahrtsgesellschaftskapitän";
        let lines = f.wrap(Face::Regular, 9.0, text, 120.0);
        assert!(lines.len() > 3);
        for l in &lines {
            assert!(f.width(Face::Regular, 9.0, l) <= 120.0, "{l}");
        }
        assert_eq!(lines.concat().replace(' ', ""), text.replace(' ', ""));
    }
}
