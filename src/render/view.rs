//! What a template sees, described once and read two ways.
//!
//! Every page's context is built as a [`V`] tree by the functions in [`super::views`]. The
//! tree is then either turned into a Tera context and rendered, or hashed into the page's
//! *fingerprint*. Both readings walk the same tree, so a fingerprint covers exactly what the
//! template is given: two builds whose trees hash alike render the same bytes (with the same
//! templates), which is what lets a build skip a page and a preview tell which open pages
//! changed. Parts shared by many pages are built once, each with its hash: an article's
//! card ([`V::Card`]), the site-wide view and the section and term links ([`V::Shared`]).
//! An article's rendered body is not needed to hash its page: [`V::Body`] stands for it by
//! the fingerprint of what the body is made from (see `crate::pipeline::bodies`).

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::hash::Hasher;

use tera::Value;
use xxhash_rust::xxh3::Xxh3;

/// A view tree. Map keys are fixed names; their order is kept.
#[derive(Debug, Clone)]
pub enum V<'a> {
    None,
    Bool(bool),
    Int(i64),
    /// Text, escaped by the template engine.
    Str(Cow<'a, str>),
    /// HTML made by nuri, not escaped again.
    Safe(Cow<'a, str>),
    List(Vec<V<'a>>),
    Map(Vec<(Key<'a>, V<'a>)>),
    /// The card of entry `i`.
    Card(usize),
    /// The card of entry `i` with more keys (an article's own view).
    CardWith(usize, Vec<(Key<'a>, V<'a>)>),
    /// A part of the rendered body of entry `i`.
    Body(usize, BodyPart),
    /// A view shared by many pages, built once.
    Shared(&'a Shared),
    /// A view built once and used in several places of one tree (an article's dates).
    Built(Box<Shared>),
    /// Free data from front matter or config (`extra`).
    Json(&'a serde_json::Value),
}

/// A map key: a fixed name, or one taken from config (a declared taxonomy's name).
#[derive(Debug, Clone, Copy)]
pub enum Key<'a> {
    Fixed(&'static str),
    Named(&'a str),
}

impl Key<'_> {
    pub fn as_str(&self) -> &str {
        match self {
            Key::Fixed(s) => s,
            Key::Named(s) => s,
        }
    }

    fn to_tera(self) -> tera::value::Key<'static> {
        match self {
            Key::Fixed(s) => tera::value::Key::Str(s),
            Key::Named(s) => tera::value::Key::String(s.into()),
        }
    }
}

/// Which part of a rendered body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyPart {
    /// The HTML, as HTML (not escaped again).
    Html,
    /// The HTML as text, for formats that escape it (feeds).
    HtmlText,
    /// The headings, for a table of contents.
    Toc,
    /// Word counts and reading time.
    Reading,
}

/// A view built once, with its hash.
#[derive(Debug, Clone)]
pub struct Shared {
    pub value: Value,
    pub hash: u64,
}

impl Shared {
    /// Builds a shared view from a tree that holds no cards or bodies.
    pub fn of(v: &V<'_>) -> Shared {
        Shared {
            value: v.to_value(&NoInputs).unwrap_or_else(|_| Value::none()),
            hash: v.hash(&NoInputs),
        }
    }
}

/// What the shared nodes of a tree stand for.
pub trait Inputs {
    /// The card of entry `i`.
    fn card(&self, i: usize) -> &Shared;
    /// The fingerprint of entry `i`'s body: what it is rendered from.
    fn body_hash(&self, i: usize) -> u64;
    /// A part of entry `i`'s rendered body (rendered on demand).
    fn body(&self, i: usize, part: BodyPart) -> Result<Value, crate::error::Diagnostic>;
}

/// For trees without cards or bodies.
struct NoInputs;

impl Inputs for NoInputs {
    fn card(&self, _: usize) -> &Shared {
        unreachable!("a shared view holds no cards")
    }
    fn body_hash(&self, _: usize) -> u64 {
        unreachable!("a shared view holds no bodies")
    }
    fn body(&self, _: usize, _: BodyPart) -> Result<Value, crate::error::Diagnostic> {
        unreachable!("a shared view holds no bodies")
    }
}

impl<'a> V<'a> {
    pub fn str(s: impl Into<Cow<'a, str>>) -> V<'a> {
        V::Str(s.into())
    }

    pub fn opt_str(s: Option<&'a str>) -> V<'a> {
        s.map_or(V::None, |s| V::Str(Cow::Borrowed(s)))
    }

    pub fn safe(s: impl Into<Cow<'a, str>>) -> V<'a> {
        V::Safe(s.into())
    }

    pub fn int(n: impl TryInto<i64>) -> V<'a> {
        V::Int(n.try_into().unwrap_or(i64::MAX))
    }

    /// Adds keys to a map (for views that extend another).
    pub fn with(self, extra: impl IntoIterator<Item = (&'static str, V<'a>)>) -> V<'a> {
        match self {
            V::Map(mut m) => {
                m.extend(extra.into_iter().map(|(k, v)| (Key::Fixed(k), v)));
                V::Map(m)
            }
            other => other,
        }
    }

    /// The fingerprint of the tree.
    pub fn hash(&self, inputs: &dyn Inputs) -> u64 {
        let mut h = Xxh3::new();
        self.feed(&mut h, inputs);
        h.finish()
    }

    fn feed(&self, h: &mut Xxh3, inputs: &dyn Inputs) {
        match self {
            V::None => h.write_u8(0),
            V::Bool(b) => h.write_u8(if *b { 2 } else { 1 }),
            V::Int(n) => {
                h.write_u8(3);
                h.write_i64(*n);
            }
            V::Str(s) | V::Safe(s) => {
                h.write_u8(if matches!(self, V::Str(_)) { 4 } else { 5 });
                h.write_usize(s.len());
                h.write(s.as_bytes());
            }
            V::List(items) => {
                h.write_u8(6);
                h.write_usize(items.len());
                for item in items {
                    item.feed(h, inputs);
                }
            }
            V::Map(entries) => {
                h.write_u8(7);
                h.write_usize(entries.len());
                for (k, v) in entries {
                    h.write(k.as_str().as_bytes());
                    h.write_u8(0xff);
                    v.feed(h, inputs);
                }
            }
            V::Card(i) => {
                h.write_u8(8);
                h.write_u64(inputs.card(*i).hash);
            }
            V::CardWith(i, extra) => {
                h.write_u8(12);
                h.write_u64(inputs.card(*i).hash);
                h.write_usize(extra.len());
                for (k, v) in extra {
                    h.write(k.as_str().as_bytes());
                    h.write_u8(0xff);
                    v.feed(h, inputs);
                }
            }
            V::Body(i, part) => {
                h.write_u8(9);
                h.write_u8(*part as u8);
                h.write_u64(inputs.body_hash(*i));
            }
            V::Shared(s) => {
                h.write_u8(10);
                h.write_u64(s.hash);
            }
            V::Built(s) => {
                h.write_u8(10);
                h.write_u64(s.hash);
            }
            V::Json(j) => {
                h.write_u8(11);
                feed_json(h, j);
            }
        }
    }

    /// The tree as a Tera value (rendering the bodies it shows).
    pub fn to_value(&self, inputs: &dyn Inputs) -> Result<Value, crate::error::Diagnostic> {
        Ok(match self {
            V::None => Value::none(),
            V::Bool(b) => Value::from(*b),
            V::Int(n) => Value::from(*n),
            V::Str(s) => Value::from(s.as_ref()),
            V::Safe(s) => Value::safe_string(s),
            V::List(items) => Value::from(
                items
                    .iter()
                    .map(|v| v.to_value(inputs))
                    .collect::<Result<Vec<_>, _>>()?,
            ),
            V::Map(entries) => {
                let mut m: BTreeMap<tera::value::Key<'static>, Value> = BTreeMap::new();
                for (k, v) in entries {
                    m.insert(k.to_tera(), v.to_value(inputs)?);
                }
                Value::from(m)
            }
            V::Card(i) => inputs.card(*i).value.clone(),
            V::CardWith(i, extra) => {
                let mut m: BTreeMap<tera::value::Key<'static>, Value> = inputs
                    .card(*i)
                    .value
                    .as_map()
                    .map(|m| m.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
                    .unwrap_or_default();
                for (k, v) in extra {
                    m.insert(k.to_tera(), v.to_value(inputs)?);
                }
                Value::from(m)
            }
            V::Body(i, part) => inputs.body(*i, *part)?,
            V::Shared(s) => s.value.clone(),
            V::Built(s) => s.value.clone(),
            V::Json(j) => Value::from_serializable(j),
        })
    }

    /// A page's top-level map as a Tera context.
    pub fn to_context(
        &self,
        inputs: &dyn Inputs,
    ) -> Result<tera::Context, crate::error::Diagnostic> {
        let mut ctx = tera::Context::new();
        if let V::Map(entries) = self {
            for (k, v) in entries {
                ctx.insert_value(k.as_str().to_string(), v.to_value(inputs)?);
            }
        }
        Ok(ctx)
    }
}

fn feed_json(h: &mut Xxh3, j: &serde_json::Value) {
    use serde_json::Value as J;
    match j {
        J::Null => h.write_u8(0),
        J::Bool(b) => h.write_u8(if *b { 2 } else { 1 }),
        J::Number(n) => {
            h.write_u8(3);
            h.write(n.to_string().as_bytes());
        }
        J::String(s) => {
            h.write_u8(4);
            h.write_usize(s.len());
            h.write(s.as_bytes());
        }
        J::Array(items) => {
            h.write_u8(6);
            h.write_usize(items.len());
            for i in items {
                feed_json(h, i);
            }
        }
        J::Object(m) => {
            h.write_u8(7);
            h.write_usize(m.len());
            for (k, v) in m {
                h.write_usize(k.len());
                h.write(k.as_bytes());
                feed_json(h, v);
            }
        }
    }
}

/// Builds a [`V::Map`] from `"key" => value` pairs.
macro_rules! vmap {
    ($($k:literal => $v:expr),* $(,)?) => {
        $crate::render::view::V::Map(vec![$(($crate::render::view::Key::Fixed($k), $v)),*])
    };
}
pub(crate) use vmap;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_hash_changes_with_any_value_and_the_value_matches_the_tree() {
        let a = vmap! { "title" => V::str("동맹"), "n" => V::int(3), "x" => V::None };
        let b = vmap! { "title" => V::str("동맹!"), "n" => V::int(3), "x" => V::None };
        let c = vmap! { "title" => V::safe("동맹"), "n" => V::int(3), "x" => V::None };
        assert_ne!(a.hash(&NoInputs), b.hash(&NoInputs));
        assert_ne!(
            a.hash(&NoInputs),
            c.hash(&NoInputs),
            "escaping is part of the view"
        );
        assert_eq!(a.hash(&NoInputs), a.clone().hash(&NoInputs));
        let v = a.to_value(&NoInputs).unwrap();
        assert_eq!(
            v.get_from_path("title").and_then(|t| t.as_str()),
            Some("동맹")
        );
        // Key and value boundaries cannot be shifted into each other.
        let d = V::List(vec![V::str("ab"), V::str("c")]);
        let e = V::List(vec![V::str("a"), V::str("bc")]);
        assert_ne!(d.hash(&NoInputs), e.hash(&NoInputs));
    }
}
