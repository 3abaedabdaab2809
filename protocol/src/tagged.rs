//! Decoding internally tagged JSON objects (`{"type": "joined", ...}`)
//! without buffering them.
//!
//! serde's own internally tagged decoding reads each object into a generic
//! tree before it knows which variant it holds, and its code for that was
//! a tenth of the browser app. The server always writes the tag first, so
//! the tag is read first and the rest of the object goes straight into
//! the variant's fields: [`tag_first!`] declares an enum together with an
//! externally tagged twin (same variants, same field attributes), and the
//! enum's `Deserialize` reads the tag and hands the rest of the map to the
//! twin's derived code. An object whose tag is not its first key is
//! refused with a clear error.

use std::marker::PhantomData;

use serde::de::value::StringDeserializer;
use serde::de::{
    DeserializeSeed, EnumAccess, Error, IgnoredAny, IntoDeserializer, MapAccess, VariantAccess,
    Visitor,
};
use serde::{Deserialize, Deserializer};

/// Declares `enum $name` (serialised with its tag under `$tag`, snake
/// case) and its `Deserialize`, which reads the tag first (see the module
/// docs). Variants are units or structs; variant and field attributes
/// (such as `#[serde(default)]`) hold for both ways.
macro_rules! tag_first {
    (
        tag = $tag:literal;
        $(#[$meta:meta])*
        pub enum $name:ident {
            $(
                $(#[$variant_meta:meta])*
                $variant:ident $({
                    $( $(#[$field_meta:meta])* $field:ident : $type:ty ),* $(,)?
                })?
            ),* $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(serde::Serialize)]
        #[serde(tag = $tag, rename_all = "snake_case")]
        pub enum $name {
            $(
                $(#[$variant_meta])*
                $variant $({ $( $(#[$field_meta])* $field : $type ),* })?
            ),*
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                /// The externally tagged twin the fields are read into.
                #[derive(serde::Deserialize)]
                #[serde(rename_all = "snake_case")]
                enum Twin {
                    $(
                        $(#[$variant_meta])*
                        $variant $({ $( $(#[$field_meta])* $field : $type ),* })?
                    ),*
                }
                let twin: Twin = $crate::tagged::deserialize(deserializer, $tag)?;
                Ok(match twin {
                    $( Twin::$variant $({ $($field),* })? => $name::$variant $({ $($field),* })? ),*
                })
            }
        }
    };
}

pub(crate) use tag_first;

/// Reads an object whose first key is `tag` into `T`, an externally
/// tagged enum (the tag's value names the variant, the other keys are its
/// fields).
pub(crate) fn deserialize<'de, D, T>(deserializer: D, tag: &'static str) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    deserializer.deserialize_map(TagFirst {
        tag,
        twin: PhantomData,
    })
}

/// Visits the object: the tag, then the rest as `T`'s variant.
struct TagFirst<T> {
    tag: &'static str,
    twin: PhantomData<T>,
}

impl<'de, T: Deserialize<'de>> Visitor<'de> for TagFirst<T> {
    type Value = T;

    fn expecting(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(formatter, "an object whose first key is \"{}\"", self.tag)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<T, A::Error> {
        match map.next_key::<String>()? {
            Some(key) if key == self.tag => {}
            _ => {
                return Err(A::Error::custom(format!(
                    "\"{}\" must come first",
                    self.tag
                )))
            }
        }
        let variant: String = map.next_value()?;
        T::deserialize(Rest { variant, map })
    }
}

/// The object after its tag: an enum whose variant the tag named.
struct Rest<A> {
    variant: String,
    map: A,
}

impl<'de, A: MapAccess<'de>> Deserializer<'de> for Rest<A> {
    type Error = A::Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, A::Error> {
        visitor.visit_enum(self)
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf option unit unit_struct newtype_struct seq tuple
        tuple_struct map struct enum identifier ignored_any
    }
}

impl<'de, A: MapAccess<'de>> EnumAccess<'de> for Rest<A> {
    type Error = A::Error;
    type Variant = Self;

    fn variant_seed<V: DeserializeSeed<'de>>(
        mut self,
        seed: V,
    ) -> Result<(V::Value, Self), A::Error> {
        let name: StringDeserializer<A::Error> =
            std::mem::take(&mut self.variant).into_deserializer();
        Ok((seed.deserialize(name)?, self))
    }
}

impl<'de, A: MapAccess<'de>> VariantAccess<'de> for Rest<A> {
    type Error = A::Error;

    fn unit_variant(mut self) -> Result<(), A::Error> {
        // Keys a unit variant does not have are passed over.
        while self.map.next_key::<IgnoredAny>()?.is_some() {
            self.map.next_value::<IgnoredAny>()?;
        }
        Ok(())
    }

    fn struct_variant<V: Visitor<'de>>(
        self,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, A::Error> {
        visitor.visit_map(self.map)
    }

    fn newtype_variant_seed<S: DeserializeSeed<'de>>(self, _seed: S) -> Result<S::Value, A::Error> {
        Err(A::Error::custom("tagged objects hold units or structs"))
    }

    fn tuple_variant<V: Visitor<'de>>(
        self,
        _len: usize,
        _visitor: V,
    ) -> Result<V::Value, A::Error> {
        Err(A::Error::custom("tagged objects hold units or structs"))
    }
}
