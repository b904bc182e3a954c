//! The compact text syntax for schedules: `name(key=value,...)` joined by `+`, e.g.
//! `warmup(epochs=3)+exp(gamma=0.96,per=epoch)+plateau(patience=3,cooldown=2)`. Values are
//! numbers, words (`per=epoch`) or lists (`boundaries=[100,200]`). Each item becomes the same
//! serde value the TOML form gives, so both forms share one set of types and one set of
//! error messages (an unknown name or key is named in the error).

use serde_json::{Map, Value};

use super::{Chain, Schedule};
use crate::error::{Error, Result};

/// Every schedule name the syntax knows.
pub const NAMES: [&str; 10] = [
    "constant",
    "exp",
    "power",
    "step",
    "piecewise",
    "linear",
    "cosine",
    "onecycle",
    "warmup",
    "plateau",
];

/// Parses a chain such as `warmup(epochs=3)+cosine`.
pub fn parse(text: &str) -> Result<Chain> {
    let text = text.trim();
    if text.is_empty() {
        return Err(bad(text, "empty schedule"));
    }
    let items = split_top(text, '+');
    let chain = Chain(
        items
            .iter()
            .map(|item| parse_item(item.trim()))
            .collect::<Result<_>>()?,
    );
    chain.validate()?;
    Ok(chain)
}

fn bad(spec: &str, msg: impl std::fmt::Display) -> Error {
    Error::option("--setting", format!("'{spec}': {msg}"))
}

/// Splits at `sep` outside parentheses and brackets.
fn split_top(s: &str, sep: char) -> Vec<&str> {
    let (mut depth, mut start, mut parts) = (0i32, 0, Vec::new());
    for (i, c) in s.char_indices() {
        match c {
            '(' | '[' => depth += 1,
            ')' | ']' => depth -= 1,
            c if c == sep && depth == 0 => {
                parts.push(&s[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&s[start..]);
    parts
}

fn parse_item(item: &str) -> Result<Schedule> {
    let (name, args) = match item.find('(') {
        Some(open) => {
            let close = item
                .rfind(')')
                .filter(|&c| c == item.len() - 1)
                .ok_or_else(|| bad(item, "missing ')'"))?;
            (item[..open].trim(), &item[open + 1..close])
        }
        None => (item, ""),
    };
    if !NAMES.contains(&name) {
        return Err(bad(
            item,
            format!("unknown schedule '{name}'; known: {}", NAMES.join(", ")),
        ));
    }
    let mut map = Map::new();
    map.insert("name".into(), Value::String(name.into()));
    for arg in split_top(args, ',')
        .into_iter()
        .map(str::trim)
        .filter(|a| !a.is_empty())
    {
        let (key, value) = arg
            .split_once('=')
            .ok_or_else(|| bad(item, format!("'{arg}' is not key=value")))?;
        map.insert(key.trim().into(), parse_value(value.trim()));
    }
    from_value(Value::Object(map), item)
}

/// Deserialises one schedule from a serde value, with errors naming the item.
pub(crate) fn from_value(value: Value, item: &str) -> Result<Schedule> {
    let schedule: Schedule = serde_json::from_value(value).map_err(|e| bad(item, e))?;
    schedule.validate()?;
    Ok(schedule)
}

fn parse_value(v: &str) -> Value {
    if let Some(inner) = v.strip_prefix('[').and_then(|v| v.strip_suffix(']')) {
        return Value::Array(
            split_top(inner, ',')
                .into_iter()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(parse_value)
                .collect(),
        );
    }
    if let Ok(i) = v.parse::<u64>() {
        return Value::from(i);
    }
    match v.parse::<f64>() {
        Ok(f) if f.is_finite() => Value::from(f),
        _ => Value::String(v.to_string()),
    }
}

/// The text form of one schedule, leaving out parameters at their defaults.
pub fn to_text(s: &Schedule) -> String {
    let value = serde_json::to_value(s).expect("serialisable");
    let map = value.as_object().cloned().unwrap_or_default();
    let is_default = |key: &str| {
        let mut without = map.clone();
        without.remove(key);
        serde_json::from_value::<Schedule>(Value::Object(without)).is_ok_and(|d| d == *s)
    };
    let args: Vec<String> = map
        .iter()
        .filter(|(k, v)| *k != "name" && !v.is_null() && !is_default(k))
        .map(|(k, v)| match v {
            Value::String(s) => format!("{k}={s}"),
            other => format!("{k}={other}"),
        })
        .collect();
    if args.is_empty() {
        s.name().to_string()
    } else {
        format!("{}({})", s.name(), args.join(","))
    }
}
