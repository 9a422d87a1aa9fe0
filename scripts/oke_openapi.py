"""Derives an acyclic JSON copy of the official OKE OpenAPI document for spec-driven fuzzers.

The official YAML (docs/ooapiv5_MBO.yaml) shares parts of its schemas through YAML
anchors, some of them recursive (an organisation's parent is an organisation), which crashes
schemathesis. Here the document is written out as plain JSON, every shared part in full where
it is used, and a schema that recurs within itself (the only cycles) is written once under
components/schemas and referred to with $ref where it recurs.

The copy also holds the nl-test-admin consumer to its own rules, as Proeve's outbound check and
its tests do (src/delivery/schema.rs, strict_consumers): the official schema takes each element
of a `consumers` list as anyOf a generic consumer (any properties) or the nl-test-admin add-on,
so any element passes as generic and the add-on's rules never apply. Here an element whose
consumerKey is nl-test-admin is not a generic consumer (OpenAPI 3.0: no if/then, so `not`).

And every `oneOf` is read as `anyOf`: the document's branches overlap, so a valid answer can
match several and fail `oneOf` for that alone. GET /associations/{id} answers oneOf the
programme, course and component association, and each of the three allows all three
`associationType` values, so no association can ever be valid. Proeve's own tests check each
answer against its specific schema (ComponentOfferingAssociation and so on).

    python3 scripts/oke_openapi.py docs/ooapiv5_MBO.yaml OUT.json [BASE_URL]
"""

import json
import sys

import yaml

# Where an OpenAPI document holds schema objects: keys whose value is one schema, keys whose
# value is a list of them, and keys whose value maps names to them.
ONE = {"schema", "items", "additionalProperties", "not"}
MANY = {"allOf", "anyOf", "oneOf"}
MAP = {"properties"}


def children(key, value, parent_is_schema):
    """Whether `key` holds one schema, a list of them, a map of them, or none."""
    if key in ONE and isinstance(value, dict):
        return "one"
    if key in MANY and isinstance(value, list):
        return "many"
    if key in MAP and parent_is_schema and isinstance(value, dict):
        return "map"
    return None


def acyclic(doc):
    """Plain JSON values; a schema that recurs within itself is written once under
    components/schemas and referred to with $ref where it recurs."""
    hoisted = {}  # id -> name
    bodies = {}

    def ref(node):
        if id(node) not in hoisted:
            title = "".join(c for c in str(node.get("title", "")) if c.isalnum()) or "schema"
            hoisted[id(node)] = f"{title}Recursive{len(hoisted) + 1}"
        return {"$ref": "#/components/schemas/" + hoisted[id(node)]}

    def walk(node, is_schema, stack):
        if isinstance(node, dict):
            if is_schema and id(node) in stack:
                return ref(node)
            if is_schema and id(node) in hoisted and hoisted[id(node)] in bodies:
                return ref(node)
            stack.add(id(node))
            out = {}
            for k, v in node.items():
                kind = children(k, v, is_schema)
                if kind == "one":
                    out[k] = walk(v, True, stack)
                elif kind == "many":
                    out[k] = [walk(x, isinstance(x, dict), stack) for x in v]
                elif kind == "map":
                    out[k] = {n: walk(x, True, stack) for n, x in v.items()}
                else:
                    out[k] = walk(v, False, stack)
            stack.discard(id(node))
            if id(node) in hoisted:
                bodies[hoisted[id(node)]] = out
                return ref(node)
            return out
        if isinstance(node, list):
            return [walk(v, False, stack) for v in node]
        return node

    out = walk(doc, False, set())
    out.setdefault("components", {}).setdefault("schemas", {}).update(bodies)
    return out, len(bodies)


def strict_consumers(node):
    """An element with consumerKey nl-test-admin must match the add-on (see the top)."""
    if isinstance(node, dict):
        branches = node.get("anyOf")
        if isinstance(branches, list) and len(branches) == 2:
            generic, addon = branches
            says = lambda b, what: what in str(b.get("description", "")) if isinstance(b, dict) else False
            if says(generic, "specific consumer") and says(addon, "nl-test-admin add-on"):
                ours = {"required": ["consumerKey"], "properties": {"consumerKey": {"enum": ["nl-test-admin"]}}}
                node["anyOf"] = [{"allOf": [generic, {"not": ours}]}, addon]
        for v in node.values():
            strict_consumers(v)
    elif isinstance(node, list):
        for v in node:
            strict_consumers(v)


def one_of_as_any_of(node, is_schema=False):
    """`oneOf` becomes `anyOf` in every schema (see the top); a property named oneOf stays."""
    if isinstance(node, dict):
        for k in list(node):
            kind = children(k, node[k], is_schema)
            if kind == "one":
                one_of_as_any_of(node[k], True)
            elif kind == "many":
                for x in node[k]:
                    one_of_as_any_of(x, True)
            elif kind == "map":
                for x in node[k].values():
                    one_of_as_any_of(x, True)
            elif k == "oneOf" and isinstance(node[k], list):
                for x in node[k]:
                    one_of_as_any_of(x, True)
            else:
                one_of_as_any_of(node[k], False)
        if "oneOf" in node and isinstance(node["oneOf"], list) and "anyOf" not in node:
            node["anyOf"] = node.pop("oneOf")
    elif isinstance(node, list):
        for x in node:
            one_of_as_any_of(x, False)


def main():
    src, dst = sys.argv[1], sys.argv[2]
    with open(src, encoding="utf-8") as f:
        doc = yaml.load(f, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    out, shared = acyclic(doc)
    strict_consumers(out)
    one_of_as_any_of(out)
    if len(sys.argv) > 3:
        out["servers"] = [{"url": sys.argv[3]}]
    with open(dst, "w", encoding="utf-8") as f:
        json.dump(out, f)
    print(f"{dst}: {len(out['paths'])} paths, {shared} recursive schemas by $ref")


if __name__ == "__main__":
    main()
