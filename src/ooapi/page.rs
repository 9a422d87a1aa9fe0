//! Query parameters and list pages. Unknown parameters are ignored (interoperability); known
//! ones with bad values are a 400 naming the parameter.

use super::{Parsed, WireError};
use serde_json::{json, Value};
use std::collections::HashMap;

pub const PAGE_SIZES: [u64; 5] = [10, 20, 50, 100, 250];

pub struct Query(HashMap<String, String>);

impl Query {
    pub fn parse(query_string: &str) -> Parsed<Self> {
        let pairs: Vec<(String, String)> =
            serde_urlencoded::from_str(query_string).map_err(|_| {
                WireError::Document("the query string is not valid URL encoding".into())
            })?;
        Ok(Query(pairs.into_iter().collect()))
    }

    pub fn get(&self, key: &str) -> Option<&str> {
        self.0.get(key).map(String::as_str)
    }

    pub fn one_of(&self, key: &str, allowed: &[&str]) -> Parsed<Option<&str>> {
        match self.get(key) {
            None => Ok(None),
            Some(v) if allowed.contains(&v) => Ok(Some(v)),
            Some(v) => Err(WireError::bad(
                key,
                format!("{v:?} is not one of {}", allowed.join(", ")),
            )),
        }
    }

    pub fn bool(&self, key: &str) -> Parsed<Option<bool>> {
        Ok(self.one_of(key, &["true", "false"])?.map(|v| v == "true"))
    }

    pub fn page(&self) -> Parsed<Page> {
        let size = match self.get("pageSize") {
            None => 10,
            Some(v) => v
                .parse::<u64>()
                .ok()
                .filter(|s| PAGE_SIZES.contains(s))
                .ok_or_else(|| {
                    WireError::bad(
                        "pageSize",
                        format!("{v:?} is not one of 10, 20, 50, 100, 250"),
                    )
                })?,
        };
        let number = match self.get("pageNumber") {
            None => 1,
            Some(v) => v.parse::<u64>().ok().filter(|n| *n >= 1).ok_or_else(|| {
                WireError::bad(
                    "pageNumber",
                    format!("{v:?} is not a page number (1 or higher)"),
                )
            })?,
        };
        Ok(Page { size, number })
    }

    /// `sort`: comma-separated attributes from `allowed`, `-` for descending.
    pub fn sort<'a>(&'a self, allowed: &[&str]) -> Parsed<Vec<(&'a str, bool)>> {
        let Some(v) = self.get("sort") else {
            return Ok(Vec::new());
        };
        v.split(',')
            .map(|part| {
                let (name, desc) = match part.strip_prefix('-') {
                    Some(n) => (n, true),
                    None => (part, false),
                };
                if allowed.contains(&name) {
                    Ok((name, desc))
                } else {
                    Err(WireError::bad(
                        "sort",
                        format!("{part:?}: sort on one of {}", allowed.join(", ")),
                    ))
                }
            })
            .collect()
    }

    /// `expand`: comma-separated values from `allowed`.
    pub fn expand(&self, allowed: &[&str]) -> Parsed<Vec<String>> {
        let Some(v) = self.get("expand") else {
            return Ok(Vec::new());
        };
        v.split(',')
            .filter(|s| !s.is_empty())
            .map(|s| {
                if allowed.contains(&s) {
                    Ok(s.to_string())
                } else {
                    Err(WireError::bad(
                        "expand",
                        format!("{s:?} is not one of {}", allowed.join(", ")),
                    ))
                }
            })
            .collect()
    }
}

#[derive(Debug, Clone, Copy)]
pub struct Page {
    pub size: u64,
    pub number: u64,
}

impl Page {
    pub fn offset(&self) -> u64 {
        (self.number - 1).saturating_mul(self.size)
    }

    /// The OOAPI page object for `items` out of `total`.
    pub fn wrap(&self, items: Vec<Value>, total: u64) -> Value {
        let total_pages = total.div_ceil(self.size).max(1);
        json!({
            "pageSize": self.size,
            "pageNumber": self.number,
            "hasPreviousPage": self.number > 1,
            "hasNextPage": self.number < total_pages,
            "totalPages": total_pages,
            "items": items,
        })
    }
}

/// The items of an OOAPI page another system answered, and whether it has a next page;
/// `None` if it is no page.
pub fn items_of(page: &serde_json::Value) -> Option<(&Vec<serde_json::Value>, bool)> {
    let items = page.get("items")?.as_array()?;
    let more = page.get("hasNextPage").and_then(serde_json::Value::as_bool) == Some(true);
    Some((items, more))
}
