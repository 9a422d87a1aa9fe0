//! The documents as HTML with print CSS: the same content as the PDFs, written through the
//! same [`Sink`] calls, so that an HTML-to-PDF engine (WeasyPrint in the benchmark) renders
//! an equivalent page: A4, the running header, "pagina x van y", table headers repeated on
//! every page, rows kept whole, the same embedded font and the signature images.

use super::layout::{Cell, Column, Face, Image, SignatureBlock, Sink};
use base64::Engine;

/// The font files the page refers to, to be written next to it.
pub const FONT_FILES: [(&str, &[u8]); 2] = [
    ("ProeveSans-Regular.ttf", super::layout::REGULAR_TTF),
    ("ProeveSans-Bold.ttf", super::layout::BOLD_TTF),
];

pub struct Html {
    header: String,
    body: String,
}

fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\n' => out.push_str("<br>"),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// A CSS string literal.
fn css_string(text: &str) -> String {
    let mut out = String::from("\"");
    for c in text.chars() {
        match c {
            '"' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn png_data_uri(img: &Image) -> Option<String> {
    let mut bytes = Vec::new();
    {
        let w = u32::try_from(img.width).ok()?;
        let h = u32::try_from(img.height).ok()?;
        let mut enc = png::Encoder::new(&mut bytes, w, h);
        enc.set_color(png::ColorType::Rgb);
        enc.set_depth(png::BitDepth::Eight);
        let mut writer = enc.write_header().ok()?;
        writer.write_image_data(&img.rgb).ok()?;
    }
    Some(format!(
        "data:image/png;base64,{}",
        base64::engine::general_purpose::STANDARD.encode(bytes)
    ))
}

fn td(c: &Cell) -> String {
    match c.face {
        Face::Bold => format!("<td><b>{}</b></td>", esc(&c.text)),
        Face::Regular => format!("<td>{}</td>", esc(&c.text)),
    }
}

impl Html {
    pub fn new(header: &str) -> Self {
        Html {
            header: header.into(),
            body: String::new(),
        }
    }

    /// The whole page; `footer` runs at the bottom left of every printed page.
    pub fn finish(self, title: &str, footer: &str) -> String {
        format!(
            r#"<!DOCTYPE html>
<html lang="nl">
<head>
<meta charset="utf-8">
<title>{title}</title>
<style>
@font-face {{ font-family: "Proeve Sans"; font-weight: normal; src: url(ProeveSans-Regular.ttf); }}
@font-face {{ font-family: "Proeve Sans"; font-weight: bold; src: url(ProeveSans-Bold.ttf); }}
@page {{
  size: A4; margin: 64pt 48pt 56pt 48pt;
  @top-left {{ content: {header}; font: 8pt "Proeve Sans"; color: #595959;
              border-bottom: 0.5pt solid black; vertical-align: bottom; width: 100%; }}
  @bottom-left {{ content: {footer}; font: 8pt "Proeve Sans"; color: #595959; }}
  @bottom-right {{ content: "pagina " counter(page) " van " counter(pages);
                   font: 8pt "Proeve Sans"; color: #595959; }}
}}
body {{ font: 9pt/11.5pt "Proeve Sans"; margin: 0; }}
h1 {{ font-size: 18pt; margin: 0 0 4pt; }}
.sub {{ font-size: 11pt; margin: 0 0 10pt; }}
h2 {{ font-size: 11.5pt; margin: 14pt 0 6pt; break-after: avoid; }}
p {{ margin: 0 0 3pt; }}
table {{ width: 100%; border-collapse: collapse; margin-bottom: 6pt; }}
td, th {{ border: 0.5pt solid black; padding: 3pt; vertical-align: top; text-align: left; }}
th {{ background: #e6e6e6; }}
tr {{ break-inside: avoid; }}
thead {{ display: table-header-group; }}
.fields td:first-child {{ width: 30%; font-weight: bold; }}
.sigs {{ display: flex; flex-wrap: wrap; gap: 6pt 12pt; }}
.sig {{ box-sizing: border-box; width: calc(50% - 6pt); height: 110pt; border: 0.5pt solid black;
        padding: 6pt; break-inside: avoid; position: relative; }}
.sig img {{ max-width: 100%; max-height: 56pt; display: block; }}
.sig .lines {{ position: absolute; bottom: 6pt; left: 6pt; font-size: 8.5pt; line-height: 10.5pt; }}
.keep {{ break-inside: avoid; }}
</style>
</head>
<body>
{body}</body>
</html>
"#,
            title = esc(title),
            header = css_string(&self.header),
            footer = css_string(footer),
            body = self.body,
        )
    }
}

impl Sink for Html {
    fn title(&mut self, title: &str, subtitle: &str) {
        self.body.push_str(&format!(
            "<h1>{}</h1>\n<p class=\"sub\">{}</p>\n",
            esc(title),
            esc(subtitle)
        ));
    }

    fn heading(&mut self, text: &str) {
        self.body.push_str(&format!("<h2>{}</h2>\n", esc(text)));
    }

    fn paragraph(&mut self, text: &str) {
        self.body.push_str(&format!("<p>{}</p>\n", esc(text)));
    }

    fn fields(&mut self, rows: &[(&str, String)]) {
        self.body.push_str("<table class=\"fields\">\n");
        for (k, v) in rows {
            self.body.push_str(&format!(
                "<tr><td>{}</td><td>{}</td></tr>\n",
                esc(k),
                esc(v)
            ));
        }
        self.body.push_str("</table>\n");
    }

    fn table(&mut self, cols: &[Column], rows: &[Vec<Cell>]) {
        let total: f32 = cols.iter().map(|c| c.share).sum::<f32>().max(f32::EPSILON);
        self.body.push_str("<table>\n<thead><tr>");
        for c in cols {
            self.body.push_str(&format!(
                "<th style=\"width:{:.1}%\">{}</th>",
                100.0 * c.share / total,
                esc(&c.title)
            ));
        }
        self.body.push_str("</tr></thead>\n<tbody>\n");
        for row in rows {
            self.body.push_str("<tr>");
            for c in row {
                self.body.push_str(&td(c));
            }
            self.body.push_str("</tr>\n");
        }
        self.body.push_str("</tbody>\n</table>\n");
    }

    fn signatures(&mut self, blocks: &[SignatureBlock]) {
        self.body.push_str("<div class=\"sigs\">\n");
        for b in blocks {
            let shown = match b.image.as_ref().and_then(png_data_uri) {
                Some(uri) => format!("<img alt=\"handtekening\" src=\"{uri}\">"),
                None => format!("<p>{}</p>", esc(&b.statement)),
            };
            let lines: Vec<String> = b.lines.iter().map(|l| esc(l)).collect();
            self.body.push_str(&format!(
                "<div class=\"sig\"><b>{}</b>{shown}<div class=\"lines\">{}</div></div>\n",
                esc(&b.role),
                lines.join("<br>")
            ));
        }
        self.body.push_str("</div>\n");
    }

    fn keep_together(&mut self, _h: f32) {
        // Print CSS keeps the heading with what follows (break-after: avoid) and each
        // signature box whole (break-inside: avoid).
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped_in_html_and_css() {
        assert_eq!(esc("a<b & \"c\"\nd"), "a&lt;b &amp; &quot;c&quot;<br>d");
        assert_eq!(css_string("x \"y\" \\"), "\"x \\\"y\\\" \\\\\"");
    }
}
