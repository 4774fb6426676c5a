//! Reading JSON of a known shape from an untrusted source (a catalog or an entry file
//! from someone's server): every wrong type is an error that names the field, as
//! `entries[3].title: expected a string, found a number`, never a panic or an empty
//! value printed as if it were the content.

use serde_json::{Map, Value};

/// An object found at `path` (`entries[3]`, or the empty path for the document).
pub struct Obj<'a> {
    map: &'a Map<String, Value>,
    path: String,
}

/// `a number`, `an array`…: what a value is, for an error message.
fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn expected(path: &str, what: &str, v: &Value) -> String {
    format!("{path}: expected {what}, found {}", kind(v))
}

impl<'a> Obj<'a> {
    /// The document itself, which must be an object; `name` says what it is for errors.
    pub fn root(v: &'a Value, name: &str) -> Result<Obj<'a>, String> {
        match v {
            Value::Object(map) => Ok(Obj {
                map,
                path: String::new(),
            }),
            v => Err(expected(name, "an object", v)),
        }
    }

    /// The path of `key` below this object.
    pub fn path_of(&self, key: &str) -> String {
        if self.path.is_empty() {
            key.to_string()
        } else {
            format!("{}.{key}", self.path)
        }
    }

    /// True when the key is there and not null.
    pub fn has(&self, key: &str) -> bool {
        self.map.get(key).is_some_and(|v| !v.is_null())
    }

    /// A string that must be there.
    pub fn string(&self, key: &str) -> Result<&'a str, String> {
        match self.map.get(key) {
            Some(Value::String(s)) => Ok(s),
            Some(v) => Err(expected(&self.path_of(key), "a string", v)),
            None => Err(format!("{}: missing", self.path_of(key))),
        }
    }

    /// A string that may be missing or null.
    pub fn opt_string(&self, key: &str) -> Result<Option<&'a str>, String> {
        if self.has(key) {
            self.string(key).map(Some)
        } else {
            Ok(None)
        }
    }

    /// An array's items with their paths; a missing or null array is empty unless
    /// `required`.
    pub fn array(&self, key: &str, required: bool) -> Result<Vec<(String, &'a Value)>, String> {
        let path = self.path_of(key);
        match self.map.get(key) {
            Some(Value::Array(items)) => Ok(items
                .iter()
                .enumerate()
                .map(|(i, v)| (format!("{path}[{i}]"), v))
                .collect()),
            None | Some(Value::Null) if !required => Ok(Vec::new()),
            None => Err(format!("{path}: missing")),
            Some(v) => Err(expected(&path, "an array", v)),
        }
    }

    /// An array of strings.
    pub fn strings(&self, key: &str, required: bool) -> Result<Vec<&'a str>, String> {
        self.array(key, required)?
            .into_iter()
            .map(|(path, v)| v.as_str().ok_or_else(|| expected(&path, "a string", v)))
            .collect()
    }

    /// An array of objects.
    pub fn objects(&self, key: &str, required: bool) -> Result<Vec<Obj<'a>>, String> {
        self.array(key, required)?
            .into_iter()
            .map(|(path, v)| match v {
                Value::Object(map) => Ok(Obj { map, path }),
                v => Err(expected(&path, "an object", v)),
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn errors_name_the_field() {
        let v = json!({"entries": [{"t": "x", "n": 5, "l": ["a", 1]}, 3]});
        let root = Obj::root(&v, "catalog").expect("object");
        let err = root
            .objects("entries", true)
            .err()
            .expect("3 is not an object");
        assert_eq!(err, "entries[1]: expected an object, found a number");
        let first = &root.array("entries", true).expect("array")[0];
        let e = Obj::root(first.1, "entry").expect("object");
        assert_eq!(e.string("t"), Ok("x"));
        assert_eq!(
            e.string("n"),
            Err("n: expected a string, found a number".into())
        );
        assert_eq!(e.string("z"), Err("z: missing".into()));
        assert_eq!(e.opt_string("z"), Ok(None));
        assert_eq!(
            e.strings("l", true),
            Err("l[1]: expected a string, found a number".into())
        );
        assert_eq!(e.strings("z", false), Ok(vec![]));
        assert_eq!(
            Obj::root(&json!([1]), "catalog").err(),
            Some("catalog: expected an object, found an array".into())
        );
    }
}
