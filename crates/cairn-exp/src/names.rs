//! DVC-style generated experiment names: `<adjective>-<noun>` from DVC's own word
//! lists, retried until no experiment of the baseline has the name.

use rand::Rng;

use crate::words::{ADJECTIVES, NOUNS};

/// One random name (`pucka-agma`).
pub fn random_name(rng: &mut impl Rng) -> String {
    let a = ADJECTIVES[rng.random_range(0..ADJECTIVES.len())];
    let n = NOUNS[rng.random_range(0..NOUNS.len())];
    format!("{a}-{n}")
}

/// A name not taken by `taken`.
pub fn unique_name(taken: impl Fn(&str) -> bool) -> String {
    let mut rng = rand::rng();
    loop {
        let n = random_name(&mut rng);
        if !taken(&n) {
            return n;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_look_like_dvcs() {
        let n = unique_name(|_| false);
        let (a, b) = n.split_once('-').unwrap();
        assert!(ADJECTIVES.contains(&a) && NOUNS.contains(&b), "{n}");
        assert_eq!(ADJECTIVES.len(), 885);
        assert_eq!(NOUNS.len(), 901);
    }
}
