//! Turns laid-out pages into archival PDF bytes (PDF/A-2b): fonts embedded whole, no
//! transparency (signatures are flattened onto white before they get here), an sRGB output
//! intent with its ICC profile, XMP metadata that matches the document information
//! dictionary, and a file identifier derived from the content, so the same record always
//! gives the same bytes.

use super::layout::{Face, Fonts};
use chrono::{DateTime, Utc};
use lopdf::{Dictionary, Object, Stream, StringFormat};
use printpdf::{PdfDocument, PdfFont, PdfPage, PdfSaveOptions, RawImage, XObject, XObjectId};
use sha2::{Digest, Sha256};

pub const PRODUCER: &str = concat!("Proeve ", env!("CARGO_PKG_VERSION"));

/// What the file says about itself.
pub struct Meta<'a> {
    pub title: &'a str,
    pub subject: &'a str,
    /// The moment the record describes (signing, or the correction): never the clock.
    pub date: DateTime<Utc>,
    /// Anything that identifies the content; the file identifier is derived from it.
    pub seed: &'a [u8],
}

#[derive(Debug, thiserror::Error)]
pub enum PdfError {
    #[error("the embedded fonts could not be read")]
    Fonts,
    #[error("writing the PDF failed: {0}")]
    Write(String),
}

pub fn write(
    fonts: &Fonts,
    pages: Vec<PdfPage>,
    images: Vec<(XObjectId, RawImage)>,
    meta: &Meta<'_>,
) -> Result<Vec<u8>, PdfError> {
    let mut doc = PdfDocument::new(meta.title);
    for (face, font) in [(Face::Regular, &fonts.regular), (Face::Bold, &fonts.bold)] {
        doc.resources
            .fonts
            .map
            .insert(face.id(), PdfFont::new(font.clone()));
    }
    for (id, image) in images {
        doc.resources.xobjects.map.insert(id, XObject::Image(image));
    }
    doc.pages = pages;
    let opts = PdfSaveOptions {
        optimize: true,
        subset_fonts: false,
        secure: true,
        image_optimization: None,
    };
    let mut warnings = Vec::new();
    let mut lo = doc.to_lopdf_document(&opts, &mut warnings);
    archival(&mut lo, meta).map_err(|e| PdfError::Write(e.to_string()))?;
    lo.compress();
    let mut out = Vec::new();
    lo.save_to(&mut out)
        .map_err(|e| PdfError::Write(e.to_string()))?;
    Ok(out)
}

fn text(s: &str) -> Object {
    if s.is_ascii() {
        Object::String(s.as_bytes().to_vec(), StringFormat::Literal)
    } else {
        // A PDF text string outside ASCII: UTF-16BE with a byte order mark.
        let mut b = vec![0xFE, 0xFF];
        for u in s.encode_utf16() {
            b.extend_from_slice(&u.to_be_bytes());
        }
        Object::String(b, StringFormat::Hexadecimal)
    }
}

fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn archival(doc: &mut lopdf::Document, meta: &Meta<'_>) -> Result<(), lopdf::Error> {
    doc.version = "1.7".into();
    let pdf_date = meta.date.format("D:%Y%m%d%H%M%S+00'00'").to_string();
    let xmp_date = meta.date.format("%Y-%m-%dT%H:%M:%S+00:00").to_string();

    let info = Dictionary::from_iter(vec![
        ("Title", text(meta.title)),
        ("Subject", text(meta.subject)),
        ("Author", text("Proeve")),
        ("Creator", text(PRODUCER)),
        ("Producer", text(PRODUCER)),
        ("CreationDate", text(&pdf_date)),
        ("ModDate", text(&pdf_date)),
    ]);
    let info_id = doc.add_object(info);

    let xmp = format!(
        "<?xpacket begin=\"\u{FEFF}\" id=\"W5M0MpCehiHzreSzNTczkc9d\"?>\n\
<x:xmpmeta xmlns:x=\"adobe:ns:meta/\">\n\
<rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\">\n\
<rdf:Description rdf:about=\"\" xmlns:pdfaid=\"http://www.aiim.org/pdfa/ns/id/\" \
xmlns:dc=\"http://purl.org/dc/elements/1.1/\" xmlns:xmp=\"http://ns.adobe.com/xap/1.0/\" \
xmlns:pdf=\"http://ns.adobe.com/pdf/1.3/\">\n\
<pdfaid:part>2</pdfaid:part>\n<pdfaid:conformance>B</pdfaid:conformance>\n\
<dc:format>application/pdf</dc:format>\n\
<dc:title><rdf:Alt><rdf:li xml:lang=\"x-default\">{title}</rdf:li></rdf:Alt></dc:title>\n\
<dc:description><rdf:Alt><rdf:li xml:lang=\"x-default\">{subject}</rdf:li></rdf:Alt></dc:description>\n\
<dc:creator><rdf:Seq><rdf:li>Proeve</rdf:li></rdf:Seq></dc:creator>\n\
<xmp:CreateDate>{date}</xmp:CreateDate>\n<xmp:ModifyDate>{date}</xmp:ModifyDate>\n\
<xmp:MetadataDate>{date}</xmp:MetadataDate>\n<xmp:CreatorTool>{producer}</xmp:CreatorTool>\n\
<pdf:Producer>{producer}</pdf:Producer>\n\
</rdf:Description>\n</rdf:RDF>\n</x:xmpmeta>\n<?xpacket end=\"w\"?>",
        title = xml_escape(meta.title),
        subject = xml_escape(meta.subject),
        date = xmp_date,
        producer = PRODUCER,
    );
    // The metadata stays readable to tools that do not inflate streams.
    let mut xmp = Stream::new(
        Dictionary::from_iter(vec![
            ("Type", Object::Name(b"Metadata".to_vec())),
            ("Subtype", Object::Name(b"XML".to_vec())),
        ]),
        xmp.into_bytes(),
    );
    xmp.allows_compression = false;
    let xmp_id = doc.add_object(xmp);

    let icc = srgb_icc();
    let icc_id = doc.add_object(Stream::new(
        Dictionary::from_iter(vec![("N", Object::Integer(3))]),
        icc,
    ));
    let intent = Dictionary::from_iter(vec![
        ("Type", Object::Name(b"OutputIntent".to_vec())),
        ("S", Object::Name(b"GTS_PDFA1".to_vec())),
        ("OutputConditionIdentifier", text("sRGB IEC61966-2.1")),
        ("RegistryName", text("http://www.color.org")),
        ("Info", text("sRGB IEC61966-2.1")),
        ("DestinationOutputProfile", Object::Reference(icc_id)),
    ]);

    let catalog = doc.catalog_mut()?;
    catalog.set("Metadata", Object::Reference(xmp_id));
    catalog.set(
        "OutputIntents",
        Object::Array(vec![Object::Dictionary(intent)]),
    );
    catalog.set("Lang", text("nl-NL"));

    let digest = Sha256::digest(meta.seed);
    let id = Object::String(digest[..16].to_vec(), StringFormat::Hexadecimal);
    doc.trailer.set("Info", Object::Reference(info_id));
    doc.trailer.set("ID", Object::Array(vec![id.clone(), id]));
    Ok(())
}

/// A compact ICC v2 display profile for sRGB (D50-adapted primaries, the sRGB tone curve as
/// a 256-entry table), built here rather than shipped as a file.
pub fn srgb_icc() -> Vec<u8> {
    fn s15(v: f64) -> [u8; 4] {
        ((v * 65536.0).round() as i32).to_be_bytes()
    }
    fn xyz(x: f64, y: f64, z: f64) -> Vec<u8> {
        let mut t = b"XYZ \0\0\0\0".to_vec();
        for v in [x, y, z] {
            t.extend_from_slice(&s15(v));
        }
        t
    }
    let desc = {
        let name = b"sRGB IEC61966-2.1 (Proeve)\0";
        let mut t = b"desc\0\0\0\0".to_vec();
        t.extend_from_slice(&(name.len() as u32).to_be_bytes());
        t.extend_from_slice(name);
        t.extend_from_slice(&[0; 4]); // Unicode language
        t.extend_from_slice(&[0; 4]); // Unicode count
        t.extend_from_slice(&[0; 2]); // ScriptCode code
        t.push(0); // ScriptCode count
        t.extend_from_slice(&[0; 67]);
        t
    };
    let cprt = {
        let mut t = b"text\0\0\0\0".to_vec();
        t.extend_from_slice(b"No copyright, use freely\0");
        t
    };
    let trc = {
        let mut t = b"curv\0\0\0\0".to_vec();
        t.extend_from_slice(&256u32.to_be_bytes());
        for i in 0..256 {
            let c = f64::from(i) / 255.0;
            let lin = if c <= 0.04045 {
                c / 12.92
            } else {
                ((c + 0.055) / 1.055).powf(2.4)
            };
            t.extend_from_slice(&((lin * 65535.0).round() as u16).to_be_bytes());
        }
        t
    };
    let tags: Vec<(&[u8; 4], Vec<u8>)> = vec![
        (b"desc", desc),
        (b"cprt", cprt),
        (b"wtpt", xyz(0.9642, 1.0, 0.8249)),
        (b"rXYZ", xyz(0.4361, 0.2225, 0.0139)),
        (b"gXYZ", xyz(0.3851, 0.7169, 0.0971)),
        (b"bXYZ", xyz(0.1431, 0.0606, 0.7141)),
        (b"rTRC", trc.clone()),
        (b"gTRC", trc.clone()),
        (b"bTRC", trc),
    ];
    let table_len = 4 + 12 * tags.len();
    let mut offset = 128 + table_len;
    let mut table = (tags.len() as u32).to_be_bytes().to_vec();
    let mut data = Vec::new();
    for (sig, body) in &tags {
        table.extend_from_slice(*sig);
        table.extend_from_slice(&(offset as u32).to_be_bytes());
        table.extend_from_slice(&(body.len() as u32).to_be_bytes());
        data.extend_from_slice(body);
        while data.len() % 4 != 0 {
            data.push(0);
        }
        offset = 128 + table_len + data.len();
    }
    let size = 128 + table_len + data.len();
    let mut h = Vec::with_capacity(size);
    h.extend_from_slice(&(size as u32).to_be_bytes());
    h.extend_from_slice(&[0; 4]); // preferred CMM
    h.extend_from_slice(&[0x02, 0x10, 0, 0]); // version 2.1
    h.extend_from_slice(b"mntrRGB XYZ ");
    for v in [2026u16, 1, 1, 0, 0, 0] {
        h.extend_from_slice(&v.to_be_bytes());
    }
    h.extend_from_slice(b"acsp");
    h.extend_from_slice(&[0; 24]); // platform, flags, manufacturer, model, attributes
    h.extend_from_slice(&[0; 4]); // rendering intent: perceptual
    for v in [0.9642, 1.0, 0.8249] {
        h.extend_from_slice(&s15(v));
    }
    h.extend_from_slice(&[0; 4]); // creator
    h.resize(128, 0);
    h.extend_from_slice(&table);
    h.extend_from_slice(&data);
    h
}
