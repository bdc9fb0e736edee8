//! Python's `repr(float)`, which DVC's hashes and interpolated commands depend on.
//!
//! Rust's `Display` prints `1e-5` as `0.00001` and `1e20` as `100000000000000000000`;
//! Python prints `1e-05` and `1e+20`. Both use the shortest round-tripping digits, so
//! we take Rust's digits and re-lay them out with CPython's rule (`float_repr_style =
//! 'short'`): scientific notation when the decimal exponent is < -4 or >= 16.

/// Formats `f` exactly as Python's `repr(f)` / `str(f)` does.
pub fn repr(f: f64) -> String {
    if f.is_nan() {
        return "nan".into();
    }
    if f.is_infinite() {
        return if f > 0.0 { "inf".into() } else { "-inf".into() };
    }
    if f == 0.0 {
        return if f.is_sign_negative() {
            "-0.0".into()
        } else {
            "0.0".into()
        };
    }
    // `{:e}` gives the shortest round-trip digits: "-1.2345e-7".
    let sci = format!("{f:e}");
    let (mantissa, exp) = sci.split_once('e').expect("`{:e}` always has an exponent");
    let exp: i32 = exp.parse().expect("exponent is an integer");
    let (sign, mantissa) = match mantissa.strip_prefix('-') {
        Some(m) => ("-", m),
        None => ("", mantissa),
    };
    let digits: String = mantissa.chars().filter(|c| *c != '.').collect();
    // Python's decpt: value = 0.DIGITS * 10^decpt.
    let decpt = exp + 1;
    let body = if !(-4 < decpt && decpt <= 16) {
        let (first, rest) = digits.split_at(1);
        let mant = if rest.is_empty() {
            first.to_string()
        } else {
            format!("{first}.{rest}")
        };
        let esign = if exp < 0 { '-' } else { '+' };
        format!("{mant}e{esign}{:02}", exp.abs())
    } else if decpt <= 0 {
        format!("0.{}{}", "0".repeat((-decpt) as usize), digits)
    } else if digits.len() as i32 <= decpt {
        format!(
            "{}{}.0",
            digits,
            "0".repeat((decpt - digits.len() as i32) as usize)
        )
    } else {
        let (int, frac) = digits.split_at(decpt as usize);
        format!("{int}.{frac}")
    };
    format!("{sign}{body}")
}

#[cfg(test)]
mod tests {
    use super::repr;

    #[test]
    fn matches_cpython_repr() {
        let cases = [
            (0.1, "0.1"),
            (1e-5, "1e-05"),
            (1.5e-5, "1.5e-05"),
            (0.0001, "0.0001"),
            (1e16, "1e+16"),
            (1e15, "1000000000000000.0"),
            (1.0, "1.0"),
            (-2.5, "-2.5"),
            (123456.789, "123456.789"),
            (1e20, "1e+20"),
            (0.30000000000000004, "0.30000000000000004"),
            (-0.0, "-0.0"),
            (5e-324, "5e-324"),
            (1.7976931348623157e308, "1.7976931348623157e+308"),
            (f64::INFINITY, "inf"),
        ];
        for (f, want) in cases {
            assert_eq!(repr(f), want, "repr({f:?})");
        }
    }
}
