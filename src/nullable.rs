//! Serde helpers for float vectors that may hold NaN or infinities: JSON has no such
//! numbers, so serde_json writes them as `null`; these read `null` back as NaN (an infinite
//! value comes back as NaN too). Use with `#[serde(with = "crate::nullable::vec")]`.

/// `Vec<f64>` with `null` for non-finite values.
pub mod vec {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    /// Writes the values (non-finite ones become `null`).
    pub fn serialize<S: Serializer>(v: &[f64], s: S) -> Result<S::Ok, S::Error> {
        v.serialize(s)
    }

    /// Reads the values, `null` as NaN.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<f64>, D::Error> {
        let v: Vec<Option<f64>> = Vec::deserialize(d)?;
        Ok(v.into_iter().map(|x| x.unwrap_or(f64::NAN)).collect())
    }
}

/// `f64` with `null` for a non-finite value.
pub mod scalar {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    /// Writes the value (non-finite becomes `null`).
    pub fn serialize<S: Serializer>(v: &f64, s: S) -> Result<S::Ok, S::Error> {
        v.serialize(s)
    }

    /// Reads the value, `null` as NaN.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
        Ok(Option::<f64>::deserialize(d)?.unwrap_or(f64::NAN))
    }
}

/// `Vec<Vec<f64>>` with `null` for non-finite values.
pub mod nested {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    /// Writes the values (non-finite ones become `null`).
    pub fn serialize<S: Serializer>(v: &[Vec<f64>], s: S) -> Result<S::Ok, S::Error> {
        v.serialize(s)
    }

    /// Reads the values, `null` as NaN.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Vec<f64>>, D::Error> {
        let v: Vec<Vec<Option<f64>>> = Vec::deserialize(d)?;
        Ok(v.into_iter()
            .map(|row| row.into_iter().map(|x| x.unwrap_or(f64::NAN)).collect())
            .collect())
    }
}
