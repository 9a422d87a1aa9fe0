//! JSON Merge Patch (RFC 7396) with the OKE receiving rule for `consumers`: the patch's
//! elements are merged into the stored elements with the same `consumerKey` (field by field),
//! instead of replacing the whole array; other arrays are replaced, `[]` clears, `null`
//! removes.

use serde_json::Value;

pub fn merge_patch(target: &mut Value, patch: &Value) {
    let Value::Object(patch_map) = patch else {
        *target = patch.clone();
        return;
    };
    if !target.is_object() {
        *target = Value::Object(Default::default());
    }
    let Value::Object(target_map) = target else {
        return;
    };
    for (key, value) in patch_map {
        match value {
            Value::Null => {
                target_map.remove(key);
            }
            Value::Array(items) if key == "consumers" && !items.is_empty() => {
                let slot = target_map
                    .entry(key.clone())
                    .or_insert_with(|| Value::Array(Vec::new()));
                if !slot.is_array() {
                    *slot = Value::Array(Vec::new());
                }
                if let Value::Array(stored) = slot {
                    merge_consumers(stored, items);
                }
            }
            Value::Object(_) => {
                let slot = target_map.entry(key.clone()).or_insert(Value::Null);
                merge_patch(slot, value);
            }
            other => {
                target_map.insert(key.clone(), other.clone());
            }
        }
    }
}

/// Renames keys in the `nl-test-admin` element of a patch's `consumers` (aliases to their
/// canonical names); `with_last` says whether the last pair applies.
pub fn rename_in_consumer(patch: &mut Value, pairs: &[(&str, &str)], with_last: bool) {
    let Some(items) = patch.get_mut("consumers").and_then(Value::as_array_mut) else {
        return;
    };
    for item in items {
        if item.get("consumerKey").and_then(Value::as_str) != Some(super::CONSUMER_KEY) {
            continue;
        }
        let Some(map) = item.as_object_mut() else {
            continue;
        };
        let count = if with_last {
            pairs.len()
        } else {
            pairs.len().saturating_sub(1)
        };
        for (alias, canonical) in &pairs[..count] {
            if let Some(v) = map.remove(*alias) {
                map.entry(canonical.to_string()).or_insert(v);
            }
        }
    }
}

fn merge_consumers(stored: &mut Vec<Value>, incoming: &[Value]) {
    for element in incoming {
        let key = element.get("consumerKey").and_then(Value::as_str);
        let existing = key.and_then(|k| {
            stored
                .iter_mut()
                .find(|s| s.get("consumerKey").and_then(Value::as_str) == Some(k))
        });
        match existing {
            Some(slot) => merge_patch(slot, element),
            None => stored.push(strip_nulls(element)),
        }
    }
}

fn strip_nulls(v: &Value) -> Value {
    let mut out = Value::Object(Default::default());
    merge_patch(&mut out, v);
    out
}

#[cfg(test)]
mod tests {
    use super::merge_patch;
    use serde_json::json;

    #[test]
    fn rfc7396_examples_hold() {
        let mut t = json!({"a": "b", "c": {"d": "e", "f": "g"}});
        merge_patch(&mut t, &json!({"a": "z", "c": {"f": null}}));
        assert_eq!(t, json!({"a": "z", "c": {"d": "e"}}));
        let mut t = json!({"a": ["b"]});
        merge_patch(&mut t, &json!({"a": []}));
        assert_eq!(t, json!({"a": []}));
    }

    #[test]
    fn consumers_merge_by_key_instead_of_replacing() {
        let mut t = json!({"consumers": [
            {"consumerKey": "nl-test-admin", "offeringState": "active", "locationCode": "A-22"},
            {"consumerKey": "x-other", "keep": true}
        ]});
        merge_patch(
            &mut t,
            &json!({"consumers": [
                {"consumerKey": "nl-test-admin", "offeringState": "canceled", "locationCode": null}
            ]}),
        );
        assert_eq!(
            t,
            json!({"consumers": [
                {"consumerKey": "nl-test-admin", "offeringState": "canceled"},
                {"consumerKey": "x-other", "keep": true}
            ]})
        );
    }

    #[test]
    fn an_empty_consumers_list_clears_it() {
        let mut t = json!({"consumers": [{"consumerKey": "nl-test-admin"}]});
        merge_patch(&mut t, &json!({"consumers": []}));
        assert_eq!(t, json!({"consumers": []}));
    }
}
