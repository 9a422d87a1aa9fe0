//! One lock per school for what the delivery workers cache per SIS (tokens, the OKE version
//! it speaks): a school whose token endpoint or SIS hangs holds up only its own messages,
//! while the one request that refreshes the entry keeps others of that school from asking
//! the same at once.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

pub struct PerTenant<T> {
    slots: Mutex<HashMap<String, Arc<tokio::sync::Mutex<T>>>>,
}

impl<T> Default for PerTenant<T> {
    fn default() -> Self {
        PerTenant {
            slots: Mutex::new(HashMap::new()),
        }
    }
}

impl<T: Default> PerTenant<T> {
    /// The school's entry; lock it (across an await, if need be) to read or refresh it.
    pub fn slot(&self, tenant: &str) -> Arc<tokio::sync::Mutex<T>> {
        let mut slots = match self.slots.lock() {
            Ok(s) => s,
            // A panic elsewhere while holding this map cannot leave it half-changed.
            Err(poisoned) => poisoned.into_inner(),
        };
        slots.entry(tenant.to_string()).or_default().clone()
    }
}
