//! Proeve's own log, read back by the tests: the production format and filter
//! (`telemetry::init_to`) writing into memory, and to stdout as well with `TEST_LOG` set.
//! Installed once for the test binary, by the first test that reads it or by `TEST_LOG`.

use std::io::Write;
use std::sync::{Mutex, Once};

static LOG: Mutex<Vec<u8>> = Mutex::new(Vec::new());
static INSTALL: Once = Once::new();

struct Capture;

impl Write for Capture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        LOG.lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .extend_from_slice(buf);
        if std::env::var("TEST_LOG").is_ok() {
            std::io::stdout().write_all(buf)?;
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Starts capturing (once; later calls do nothing).
pub fn install() {
    INSTALL.call_once(|| proeve::telemetry::init_to(|| Capture));
}

/// Everything logged so far by every test of this binary, as text.
pub fn logged() -> String {
    install();
    String::from_utf8_lossy(
        &LOG.lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner),
    )
    .into_owned()
}
