//! The `.dir` manifest: a directory's content as DVC hashes and stores it.

use serde_json::Value;

use crate::hash::md5_bytes;

/// One file of a directory: its `/`-separated path inside the directory and its MD5.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// Path relative to the tracked directory, `/`-separated.
    pub relpath: String,
    /// MD5 of the file's bytes.
    pub md5: String,
}

/// A directory listing in DVC's canonical order.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Manifest {
    entries: Vec<Entry>,
}

impl Manifest {
    /// Builds a manifest, sorting by code point as Python's `sorted` does.
    pub fn new(mut entries: Vec<Entry>) -> Self {
        use rayon::slice::ParallelSliceMut;
        entries.par_sort_by(|a, b| a.relpath.cmp(&b.relpath));
        Manifest { entries }
    }

    /// The entries, sorted.
    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    /// The bytes DVC stores and hashes: `json.dumps(entries, sort_keys=True)`.
    pub fn to_bytes(&self) -> Vec<u8> {
        // Written directly rather than through `pyjson::dumps` of a `Value` list: the
        // shape is fixed (keys already in sorted order), and 10,000 entries' worth of
        // maps cost more than the rest of an add's bookkeeping.
        let mut out = String::with_capacity(self.entries.len() * 80 + 2);
        out.push('[');
        for (i, e) in self.entries.iter().enumerate() {
            if i > 0 {
                out.push_str(", ");
            }
            out.push_str("{\"md5\": ");
            cairn_core::pyjson::write_str(&mut out, &e.md5);
            out.push_str(", \"relpath\": ");
            cairn_core::pyjson::write_str(&mut out, &e.relpath);
            out.push('}');
        }
        out.push(']');
        out.into_bytes()
    }

    /// The directory's id: MD5 of [`Self::to_bytes`] plus `.dir`.
    pub fn id(&self) -> String {
        format!("{}.dir", md5_bytes(&self.to_bytes()))
    }

    /// Reads manifest bytes (as DVC or Cairn wrote them; extra keys are ignored).
    pub fn parse(bytes: &[u8]) -> Result<Self, String> {
        let v: Value = serde_json::from_slice(bytes).map_err(|e| e.to_string())?;
        let Value::Array(items) = v else {
            return Err("expected a JSON list".into());
        };
        let mut entries = Vec::with_capacity(items.len());
        for item in items {
            let relpath = item
                .get("relpath")
                .and_then(Value::as_str)
                .ok_or("an entry lacks `relpath`")?;
            let md5 = item
                .get("md5")
                .and_then(Value::as_str)
                .ok_or("an entry lacks `md5`")?;
            entries.push(Entry {
                relpath: relpath.to_string(),
                md5: md5.to_string(),
            });
        }
        Ok(Manifest::new(entries))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn e(relpath: &str, md5: &str) -> Entry {
        Entry {
            relpath: relpath.into(),
            md5: md5.into(),
        }
    }

    #[test]
    fn matches_the_manifest_dvc_wrote() {
        // From the verified notes: data/{a.txt,B.txt,sp ace é.txt,sub/b.txt}.
        let m = Manifest::new(vec![
            e("sub/b.txt", "c193497a1a06b2c72230e6146ff47080"),
            e("a.txt", "5bbf5a52328e7439ae6e719dfe712200"),
            e("sp ace é.txt", "83770f8fa25a50c6e3e11b313dadc1bb"),
            e("B.txt", "9dd4e461268c8034f5c8564e155c67a6"),
        ]);
        assert_eq!(m.id(), "d48c66f685d160ea92972d8fffd5ec37.dir");
        assert_eq!(Manifest::parse(&m.to_bytes()).unwrap(), m);
    }

    #[test]
    fn direct_bytes_equal_json_dumps_of_the_entry_list() {
        // The general serializer (fuzzed against Python) is the oracle for the
        // hand-written fast path, over names needing every kind of escape.
        let names = [
            "plain.txt",
            "q\"uote",
            "back\\slash",
            "tab\there",
            "nl\n",
            "ctl\u{1}x",
            "del\u{7f}",
            "é",
            "😀 emoji",
            "",
            "~tilde",
            "mixed é \"😀\"\\",
        ];
        let m = Manifest::new(
            names
                .iter()
                .enumerate()
                .map(|(i, n)| e(n, &format!("{i:032x}")))
                .collect(),
        );
        let list: Vec<Value> = m
            .entries()
            .iter()
            .map(|e| serde_json::json!({"md5": e.md5, "relpath": e.relpath}))
            .collect();
        assert_eq!(
            String::from_utf8(m.to_bytes()).unwrap(),
            cairn_core::pyjson::dumps(&Value::Array(list), true)
        );
    }

    #[test]
    fn empty_directory() {
        assert_eq!(Manifest::default().to_bytes(), b"[]");
        assert_eq!(
            Manifest::default().id(),
            "d751713988987e9331980363e24189ce.dir"
        );
    }

    #[test]
    fn sorts_dash_before_slash() {
        let m = Manifest::new(vec![e("sub/b.txt", "1"), e("sub-x.txt", "2")]);
        assert_eq!(m.entries()[0].relpath, "sub-x.txt");
    }
}
