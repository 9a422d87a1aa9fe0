//! Counting what one client does over a sliding window, to bound guessing and flooding:
//! wrong sign-in codes, and requests for sign-in links. Counted per key (the school and the
//! client's address), in this process.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

pub struct Throttle {
    window: Duration,
    max: usize,
    seen: Mutex<HashMap<String, Vec<Instant>>>,
}

impl Throttle {
    pub fn new(max: usize, window: Duration) -> Self {
        Throttle {
            window,
            max,
            seen: Mutex::new(HashMap::new()),
        }
    }

    fn with<T>(&self, f: impl FnOnce(&mut HashMap<String, Vec<Instant>>) -> T) -> T {
        let mut map = self
            .seen
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let now = Instant::now();
        let window = self.window;
        map.retain(|_, times| {
            times.retain(|t| now.duration_since(*t) < window);
            !times.is_empty()
        });
        f(&mut map)
    }

    /// Whether `key` has used up the window.
    pub fn exhausted(&self, key: &str) -> bool {
        self.with(|m| m.get(key).is_some_and(|t| t.len() >= self.max))
    }

    /// Counts one for `key`.
    pub fn count(&self, key: &str) {
        self.with(|m| m.entry(key.to_string()).or_default().push(Instant::now()));
    }
}

/// The throttles of the sign-in steps.
pub struct Throttles {
    /// Wrong hand-over codes: 10 per 10 minutes.
    pub wrong_codes: Throttle,
    /// Link requests, whatever the address: 30 per 10 minutes (a school's network with many
    /// assessors behind one address stays well within it).
    pub link_requests: Throttle,
}

impl Default for Throttles {
    fn default() -> Self {
        Throttles {
            wrong_codes: Throttle::new(10, Duration::from_secs(600)),
            link_requests: Throttle::new(30, Duration::from_secs(600)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_is_stopped_at_its_maximum_and_others_are_not() {
        let t = Throttle::new(2, Duration::from_secs(60));
        t.count("a");
        assert!(!t.exhausted("a"));
        t.count("a");
        assert!(t.exhausted("a"));
        assert!(!t.exhausted("b"));
    }

    #[test]
    fn the_window_forgets() {
        let t = Throttle::new(1, Duration::from_millis(1));
        t.count("a");
        std::thread::sleep(Duration::from_millis(5));
        assert!(!t.exhausted("a"));
    }
}
