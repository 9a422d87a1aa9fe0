//! A photo's thumbnail for the assessment form: decoded from the stored bytes (JPEG or PNG),
//! scaled down by averaging, written as a small PNG without transparency (PDF/A).

/// The longest side of a thumbnail, in pixels.
pub const SIDE: usize = 320;
/// The largest image decoded for a thumbnail (bytes of pixels).
const MAX_PIXELS_BYTES: usize = 64 * 1024 * 1024;

/// An image as RGB pixels, row by row.
pub struct Rgb {
    pub width: usize,
    pub height: usize,
    pub px: Vec<u8>,
}

fn jpeg(bytes: &[u8]) -> Option<Rgb> {
    let mut d = jpeg_decoder::Decoder::new(std::io::Cursor::new(bytes));
    d.set_max_decoding_buffer_size(MAX_PIXELS_BYTES);
    let px = d.decode().ok()?;
    let info = d.info()?;
    let (width, height) = (usize::from(info.width), usize::from(info.height));
    let px = match info.pixel_format {
        jpeg_decoder::PixelFormat::RGB24 => px,
        jpeg_decoder::PixelFormat::L8 => px.iter().flat_map(|v| [*v; 3]).collect(),
        jpeg_decoder::PixelFormat::L16 => px.chunks_exact(2).flat_map(|v| [v[0]; 3]).collect(),
        jpeg_decoder::PixelFormat::CMYK32 => px
            .chunks_exact(4)
            .flat_map(|p| {
                let k = 255 - u32::from(p[3]);
                [p[0], p[1], p[2]].map(|c| ((255 - u32::from(c)) * k / 255) as u8)
            })
            .collect(),
    };
    (px.len() == width * height * 3).then_some(Rgb { width, height, px })
}

/// Decodes a PNG and flattens it onto white paper, allocating at most `max_bytes` for it (a
/// small PNG can unpack to a huge image).
pub fn png_on_white(bytes: &[u8], max_bytes: usize) -> Option<Rgb> {
    let limits = png::Limits { bytes: max_bytes };
    let mut decoder = png::Decoder::new_with_limits(std::io::Cursor::new(bytes), limits);
    decoder.set_transformations(png::Transformations::normalize_to_color8());
    let mut reader = decoder.read_info().ok()?;
    let mut buf = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buf).ok()?;
    let (width, height) = (info.width as usize, info.height as usize);
    let channels = info.color_type.samples();
    let mut px = Vec::with_capacity(width * height * 3);
    for p in buf[..info.buffer_size()].chunks_exact(channels) {
        let (c, a) = match channels {
            1 => ([p[0]; 3], 255),
            2 => ([p[0]; 3], p[1]),
            3 => ([p[0], p[1], p[2]], 255),
            _ => ([p[0], p[1], p[2]], p[3]),
        };
        for v in c {
            let v = u32::from(v) * u32::from(a) + 255 * (255 - u32::from(a));
            px.push(((v + 127) / 255) as u8);
        }
    }
    (px.len() == width * height * 3).then_some(Rgb { width, height, px })
}

/// Scales down so the longest side is at most [`SIDE`], each pixel the mean of its area.
fn shrink(img: Rgb) -> Rgb {
    let longest = img.width.max(img.height);
    if longest <= SIDE {
        return img;
    }
    let w = (img.width * SIDE / longest).max(1);
    let h = (img.height * SIDE / longest).max(1);
    let mut px = Vec::with_capacity(w * h * 3);
    for y in 0..h {
        let (y0, y1) = (
            y * img.height / h,
            ((y + 1) * img.height / h).max(y * img.height / h + 1),
        );
        for x in 0..w {
            let (x0, x1) = (
                x * img.width / w,
                ((x + 1) * img.width / w).max(x * img.width / w + 1),
            );
            let mut sum = [0u64; 3];
            for yy in y0..y1 {
                let row = &img.px[(yy * img.width + x0) * 3..(yy * img.width + x1) * 3];
                for p in row.chunks_exact(3) {
                    for c in 0..3 {
                        sum[c] += u64::from(p[c]);
                    }
                }
            }
            let n = ((y1 - y0) * (x1 - x0)) as u64;
            px.extend(sum.map(|s| (s / n) as u8));
        }
    }
    Rgb {
        width: w,
        height: h,
        px,
    }
}

/// A PNG thumbnail of a JPEG or PNG image, or `None` for bytes that do not decode.
pub fn of_image(content_type: &str, bytes: &[u8]) -> Option<Vec<u8>> {
    let img = match content_type {
        "image/jpeg" => jpeg(bytes)?,
        "image/png" => png_on_white(bytes, MAX_PIXELS_BYTES)?,
        _ => return None,
    };
    let img = shrink(img);
    let mut out = Vec::new();
    {
        let w = u32::try_from(img.width).ok()?;
        let h = u32::try_from(img.height).ok()?;
        let mut enc = png::Encoder::new(&mut out, w, h);
        enc.set_color(png::ColorType::Rgb);
        enc.set_depth(png::BitDepth::Eight);
        let mut writer = enc.write_header().ok()?;
        writer.write_image_data(&img.px).ok()?;
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_large_png_becomes_a_small_one() {
        let (w, h) = (1000u32, 500u32);
        let mut src = Vec::new();
        {
            let mut enc = png::Encoder::new(&mut src, w, h);
            enc.set_color(png::ColorType::Rgb);
            let mut wr = enc.write_header().unwrap();
            wr.write_image_data(&vec![200u8; (w * h * 3) as usize])
                .unwrap();
        }
        let thumb = of_image("image/png", &src).unwrap();
        let d = png::Decoder::new(std::io::Cursor::new(&thumb));
        let r = d.read_info().unwrap();
        assert_eq!((r.info().width, r.info().height), (320, 160));
        assert!(of_image("image/jpeg", b"not a jpeg").is_none());
    }
}
